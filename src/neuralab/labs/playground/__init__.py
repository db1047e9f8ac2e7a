"""The playground: many neurons on the plane, trained live (TensorFlow Playground's lab).

``data``: the 2-D data sets, the input features and uploaded points; ``model``: the network
and its training rules; ``session``: :class:`Playground`, one run stepped and read as frames.
"""

from neuralab.labs.playground.session import Playground

__all__ = ["Playground"]
