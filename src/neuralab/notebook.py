"""The lab's live views inside a Jupyter notebook: ``neuralab.show("compare")``.

Like TensorBoard's notebook integration, :func:`show` starts the lab server in the background
of the kernel on a free loopback port (once per kernel; a lab already running can be given
with ``url=``) and embeds one section of the page in the cell's output, with the settings
given as keyword arguments. The server lives as long as the kernel.
"""

from __future__ import annotations

import html
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from neuralab.params import TABLE, ParamError, validate

SECTIONS = {  # what show() accepts -> (section id on the page, parameter group)
    "functions": ("functions", "functions"),
    "pixels": ("pixels", "pixels"),
    "images": ("pixels", "pixels"),
    "descent": ("descent", "descent"),
    "compare": ("mnist", "compare"),
    "mnist": ("mnist", "compare"),
    "inside": ("inside", "compare"),
    "answers": ("answers", "compare"),
    "neuron": ("neuron", "neuron"),
    "next": ("next", None),
}
START_TIMEOUT = 30.0  # seconds for the background server to answer


@dataclass
class _Lab:
    """The kernel's background lab server (made on the first :func:`show`)."""

    url: str = ""
    server: Any = None
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure(self) -> str:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.url, self.server, self.thread = _start()
            return self.url


_LAB = _Lab()  # one background server per kernel process, as TensorBoard keeps its own


@dataclass(frozen=True)
class LabView:
    """One section of the lab in a notebook cell (an iframe), or its address as text."""

    url: str
    height: int

    def _repr_html_(self) -> str:
        src = html.escape(self.url, quote=True)
        return (f'<iframe src="{src}" width="100%" height="{self.height}" '
                'style="border: 1px solid #d1d5db; border-radius: 8px" '
                'title="neuralab" loading="lazy"></iframe>'
                f'<p style="font-size: 12px"><a href="{src}" target="_blank">'
                'Open this section in its own tab</a></p>')

    def __repr__(self) -> str:
        return f"LabView({self.url!r})"


def show(section: str = "compare", *, height: int = 820, url: str | None = None,
         **settings: Any) -> LabView:
    """Embed one live section of the lab, e.g. ``show("compare", mlp_width=64)``.

    ``section`` is one of :data:`SECTIONS`; ``settings`` are that section's parameters (the
    parameter table's names and ranges, checked here: a bad one raises
    :class:`~neuralab.params.ParamError`). ``url`` uses a lab already running instead of
    starting one in the background.
    """
    if section not in SECTIONS:
        raise ParamError("section", "one of " + ", ".join(SECTIONS), section)
    if not 200 <= height <= 5000:
        raise ParamError("height", "an integer from 200 to 5000", height)
    anchor, lab = SECTIONS[section]
    query: dict[str, str] = {"sections": anchor, "embed": "1"}
    if settings:
        if lab is None:
            raise ParamError(next(iter(settings)), "no settings for this section")
        checked = validate(lab, settings, scope="ui", partial=True)
        for name, value in checked.items():
            param = TABLE[lab][name]
            if param.shape:
                value = ",".join(str(v) for row in value for v in row)
            elif param.kind is bool:
                value = "1" if value else "0"
            query[f"{lab}.{name}"] = str(value)
    base = (url or _LAB.ensure()).rstrip("/")
    return LabView(f"{base}/?{urlencode(query)}#{anchor}", height)


def _start() -> tuple[str, Any, threading.Thread]:
    """The lab server in a daemon thread of this process, on a free loopback port."""
    import uvicorn

    from neuralab.server import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="neuralab-lab", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the lab server did not start in the background")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread
