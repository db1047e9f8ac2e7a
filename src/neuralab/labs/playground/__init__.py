"""The playground: many neurons on the plane, trained live (TensorFlow Playground's lab).

``data`` holds the 2-D data sets, the input features and uploaded points.
"""
