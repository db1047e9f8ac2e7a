"""Section 2: images are arrays of numbers.

A picture is an array of shape (height, width, 3): for each pixel, how much red, green and
blue it holds. :func:`compose` builds the lesson's 3x3 pictures from three matrices;
:func:`downscale` makes the low-resolution astronaut by averaging blocks of pixels.
"""

from __future__ import annotations

import base64
import functools
import io

import numpy as np

from neuralab.params import validate

CHANNELS = ("red", "green", "blue")


def compose(red: list, green: list, blue: list) -> dict[str, np.ndarray]:
    """The four 3x3 pictures: each channel alone (the others at 0) and all three combined.

    Values are checked against the parameter table (3x3, each from 0 to 1). Each picture
    is a float array of shape (3, 3, 3) in 0..1.
    """
    v = validate("pixels", {"red": red, "green": green, "blue": blue}, partial=True)
    planes = [np.asarray(v[name], dtype=float) for name in CHANNELS]
    out: dict[str, np.ndarray] = {}
    for i, name in enumerate(CHANNELS):
        img = np.zeros((*planes[i].shape, 3))
        img[:, :, i] = planes[i]
        out[name] = img
    out["combined"] = np.stack(planes, axis=-1)
    return out


def to_hex(image: np.ndarray) -> list[list[str]]:
    """CSS colours ``#rrggbb`` of a (h, w, 3) picture in 0..1, row by row."""
    rgb = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
    return [["#" + bytes(px).hex() for px in row] for row in rgb]


def _edges(size: int, parts: int) -> np.ndarray:
    return (np.arange(parts) * size) // parts


def downscale(image: np.ndarray, side: int) -> np.ndarray:
    """Shrink a (H, W, 3) uint8 image to (side, side, 3) by averaging each block of pixels.

    Works for any ``side`` up to the image size (blocks differ by at most one pixel).
    """
    h, w = image.shape[:2]
    if not 1 <= side <= min(h, w):
        raise ValueError(f"side must be from 1 to {min(h, w)} (got {side})")
    data = image.astype(np.float64)
    rows = np.add.reduceat(data, _edges(h, side), axis=0)
    sums = np.add.reduceat(rows, _edges(w, side), axis=1)
    counts = np.outer(np.diff(np.append(_edges(h, side), h)),
                      np.diff(np.append(_edges(w, side), w)))
    return np.rint(sums / counts[:, :, None]).astype(np.uint8)


@functools.lru_cache(maxsize=256)
def astronaut(resolution: int = 64) -> dict:
    """The astronaut at ``resolution`` x ``resolution``, ready to send as JSON.

    ``data`` is the uint8 array, row by row, (r, g, b) per pixel, base64-encoded: compact
    and exact, so the page can show the numbers under the pointer.
    """
    from neuralab.data import load_astronaut

    side = validate("pixels", {"resolution": resolution})["resolution"]
    image = load_astronaut()
    small = downscale(image, side)
    return {
        "resolution": side, "shape": list(small.shape), "dtype": str(small.dtype),
        "original_shape": list(image.shape),
        "data": base64.b64encode(small.tobytes()).decode("ascii"),
    }


@functools.cache
def astronaut_jpeg(quality: int = 88) -> bytes:
    """The full-size astronaut as JPEG bytes (for showing the original)."""
    from PIL import Image

    from neuralab.data import load_astronaut

    buffer = io.BytesIO()
    Image.fromarray(load_astronaut()).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
