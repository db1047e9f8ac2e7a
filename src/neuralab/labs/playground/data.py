"""The playground's 2-D data: TensorFlow Playground's generators, more classes, and your own.

Every point lies on the plane [-6, 6]^2. Two-class sets label their points -1 and +1 (as
TensorFlow Playground does, for a tanh output), regression sets give a value in [-1, 1], and
the sets of more than two classes label 0..k-1. ``noise`` is a fraction from 0 to 0.5 (the
page's 0-50 divided by 100), and a seed makes every set reproducible.

The definitions follow TensorFlow Playground's ``dataset.ts`` (its shapes, radii, spreads and
label rules), drawn with numpy's generator instead of its ``Math.random``; the same seed
therefore gives other points than the playground's page, from the same distributions.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neuralab.params import ParamError

RADIUS = 6.0  # the plane is [-6, 6]^2
SAMPLES = {"classification": 500, "regression": 1200}
FEATURES = ("x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
FEATURE_LABELS = {"x1": "X1", "x2": "X2", "x1_squared": "X1²", "x2_squared": "X2²",
                  "x1_x2": "X1X2", "sin_x1": "sin(X1)", "sin_x2": "sin(X2)"}
MAX_UPLOAD_BYTES = 1_000_000
MAX_UPLOAD_POINTS = 5000
MAX_CLASSES = 8
MAX_Y = 2.0  # regression values of an upload


@dataclass(frozen=True)
class Points:
    """Points on the plane: ``xy`` (n, 2) and ``labels`` (n,): -1/+1, 0..k-1 or values."""

    xy: np.ndarray
    labels: np.ndarray
    problem: str  # "classification" or "regression"
    classes: int  # 2 for -1/+1 sets, k for 0..k-1 sets, 0 for regression

    def __len__(self) -> int:
        return len(self.labels)

    def split(self, train_fraction: float, seed: int) -> tuple[Points, Points]:
        """Shuffled, then the first ``train_fraction`` to train and the rest to test."""
        order = np.random.default_rng(seed).permutation(len(self))
        cut = math.floor(len(self) * train_fraction)
        part = lambda rows: Points(self.xy[rows], self.labels[rows], self.problem,  # noqa: E731
                                   self.classes)
        return part(order[:cut]), part(order[cut:])

    def to_csv(self) -> str:
        """``x1,x2,label`` (or ``x1,x2,y`` for regression), one point a line."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["x1", "x2", "y" if self.problem == "regression" else "label"])
        for (a, b), label in zip(self.xy.tolist(), self.labels.tolist(), strict=True):
            writer.writerow([f"{a:.6g}", f"{b:.6g}",
                             f"{label:.6g}" if self.problem == "regression" else int(label)])
        return out.getvalue()


def features(xy: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The network's inputs: the chosen features of each point, as columns (n, len(names))."""
    x1, x2 = xy[:, 0], xy[:, 1]
    make: dict[str, Callable[[], np.ndarray]] = {
        "x1": lambda: x1, "x2": lambda: x2, "x1_squared": lambda: x1 * x1,
        "x2_squared": lambda: x2 * x2, "x1_x2": lambda: x1 * x2,
        "sin_x1": lambda: np.sin(x1), "sin_x2": lambda: np.sin(x2),
    }
    return np.column_stack([make[name]() for name in names]).astype(np.float64)


# ---------------------------------------------------------------------------- generators


def _uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return rng.uniform(low, high, n)


def circle(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Half the points inside radius 2.5, half in the ring 3.5-5; labelled by which side of
    radius 2.5 the point moved by the noise falls (so noise blurs the boundary)."""
    radius = 5.0
    half = n // 2
    r = np.concatenate([_uniform(rng, 0, radius * 0.5, half),
                        _uniform(rng, radius * 0.7, radius, n - half)])
    angle = _uniform(rng, 0, 2 * math.pi, n)
    xy = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = xy + rng.uniform(-radius, radius, (n, 2)) * noise
    labels = np.where(np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5, 1.0, -1.0)
    return Points(xy, labels, "classification", 2)


def xor(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Uniform on [-5, 5]^2 pushed 0.3 away from the axes; +1 where x1 and x2 share a sign."""
    xy = rng.uniform(-5, 5, (n, 2))
    xy += np.where(xy > 0, 0.3, -0.3)
    shifted = xy + rng.uniform(-5, 5, (n, 2)) * noise
    labels = np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)
    return Points(xy, labels, "classification", 2)


def gaussian(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Two Gaussian clouds at (2, 2) (+1) and (-2, -2) (-1), variance from 0.5 (no noise)
    to 4 (noise 0.5)."""
    variance = 0.5 + (4 - 0.5) * noise / 0.5
    half = n // 2
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [half, n - half], axis=0)
    xy = centres + rng.normal(0, math.sqrt(variance), (n, 2))
    labels = np.repeat([1.0, -1.0], [half, n - half])
    return Points(xy, labels, "classification", 2)


def spiral(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Two interleaved spirals (radius up to 5, 1.75 turns), +1 and -1."""
    xy, labels = _spirals(n, noise, rng, 2)
    return Points(xy, np.where(labels == 0, 1.0, -1.0), "classification", 2)


def _spirals(n: int, noise: float, rng: np.random.Generator, arms: int
             ) -> tuple[np.ndarray, np.ndarray]:
    per = [n // arms + (1 if i < n % arms else 0) for i in range(arms)]
    parts, labels = [], []
    for arm, count in enumerate(per):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * math.pi + 2 * math.pi * arm / arms
        jitter = rng.uniform(-1, 1, (count, 2)) * noise
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]) + jitter)
        labels.append(np.full(count, arm))
    return np.concatenate(parts), np.concatenate(labels)


def plane(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Regression: y = (x1 + x2) / 10 at the point moved by the noise, on [-6, 6]^2 (so y
    runs a little past [-1, 1] in the corners, as in TensorFlow Playground)."""
    xy = rng.uniform(-RADIUS, RADIUS, (n, 2))
    shifted = xy + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    return Points(xy, (shifted[:, 0] + shifted[:, 1]) / 10, "regression", 0)


GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
             (4, -2.5, -1))


def multi_gaussian(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Regression: six bumps of height +1 or -1 (falling to 0 at distance 2); each point
    takes the bump of largest |value|."""
    xy = rng.uniform(-RADIUS, RADIUS, (n, 2))
    shifted = xy + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    values = np.stack([sign * np.clip(1 - np.hypot(shifted[:, 0] - cx, shifted[:, 1] - cy) / 2,
                                      0, 1) for cx, cy, sign in GAUSSIANS])
    pick = np.abs(values).argmax(axis=0)
    return Points(xy, values[pick, np.arange(n)], "regression", 0)


def three_spirals(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Three interleaved spirals, classes 0, 1, 2."""
    xy, labels = _spirals(n, noise, rng, 3)
    return Points(xy, labels.astype(np.int64), "classification", 3)


def blobs(n: int, noise: float, rng: np.random.Generator) -> Points:
    """Four Gaussian clouds at the corners of a square, classes 0-3, spread growing with
    the noise."""
    centres = np.array([[3.0, 3.0], [-3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]])
    labels = np.arange(n) % len(centres)
    spread = math.sqrt(0.4 + 3.6 * noise / 0.5)
    xy = centres[labels] + rng.normal(0, spread, (n, 2))
    return Points(xy, labels.astype(np.int64), "classification", 4)


DATASETS: dict[str, Callable[[int, float, np.random.Generator], Points]] = {
    "circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral,
    "plane": plane, "multi_gaussian": multi_gaussian,
    "three_spirals": three_spirals, "blobs": blobs,
}
TITLES = {"circle": "Circle", "xor": "Exclusive or", "gaussian": "Gaussian",
          "spiral": "Spiral", "plane": "Plane", "multi_gaussian": "Multi gaussian",
          "three_spirals": "Three spirals", "blobs": "Blobs"}


def generate(name: str, noise: float, seed: int, n: int | None = None) -> Points:
    """Data set ``name`` with ``noise`` (0 to 0.5) from ``seed``; ``n`` points (default 500
    to classify, 1,200 for regression, as TensorFlow Playground draws)."""
    if name not in DATASETS:
        raise ParamError("dataset", "one of " + ", ".join(DATASETS), name)
    if not 0 <= noise <= 0.5:
        raise ParamError("noise", "a number from 0 to 0.5", noise)
    rng = np.random.default_rng(seed)
    problem = "regression" if name in ("plane", "multi_gaussian") else "classification"
    return DATASETS[name](n or SAMPLES[problem], noise, rng)


# ---------------------------------------------------------------------------- your own data


class UploadError(ParamError):
    """A CSV the playground cannot use; the message names the line and the problem."""

    def __init__(self, message: str) -> None:
        super().__init__("file", "a CSV of x1,x2,label (or x1,x2,y)", message=message)


def parse_csv(data: bytes, problem: str) -> Points:
    """Points from a CSV of ``x1,x2,label`` (classes: integers 0..7, or -1/+1) or ``x1,x2,y``
    (regression, y from -2 to 2: the data sets' own values run a little past -1 and 1),
    with or without a header. Coordinates must be finite and
    within [-6, 6]. Raises :class:`UploadError` naming the line."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"the file is {len(data):,} bytes; at most {MAX_UPLOAD_BYTES:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("the file is not text (UTF-8)") from None
    try:
        rows = [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text, newline="")),
                                                  start=1) if any(cell.strip() for cell in row)]
    except csv.Error as exc:  # e.g. a lone quote or a stray carriage return
        raise UploadError(f"the file is not CSV: {exc}") from None
    if rows and not _numeric(rows[0][1][0] if rows[0][1] else ""):
        header = [c.strip().lower() for c in rows[0][1]]
        if header[:2] != ["x1", "x2"] or len(header) != 3:
            raise UploadError("line 1: the header must be x1,x2,label (or x1,x2,y)")
        rows = rows[1:]
    if not rows:
        raise UploadError("the file has no points")
    if len(rows) > MAX_UPLOAD_POINTS:
        raise UploadError(f"the file has {len(rows):,} points; at most {MAX_UPLOAD_POINTS:,}")
    xy = np.empty((len(rows), 2))
    labels = np.empty(len(rows))
    for k, (line, row) in enumerate(rows):
        if len(row) != 3:
            raise UploadError(f"line {line}: {len(row)} columns; each line needs x1,x2,"
                              + ("y" if problem == "regression" else "label"))
        try:
            values = [float(cell) for cell in row]
        except ValueError:
            raise UploadError(f"line {line}: {','.join(row)[:40]!r} is not three "
                              "numbers") from None
        if not all(math.isfinite(v) for v in values):
            raise UploadError(f"line {line}: values must be finite numbers (no NaN or inf)")
        if not all(-RADIUS <= v <= RADIUS for v in values[:2]):
            raise UploadError(f"line {line}: x1 and x2 must be from -6 to 6")
        xy[k], labels[k] = values[:2], values[2]
    if problem == "regression":
        bad = np.flatnonzero((labels < -MAX_Y) | (labels > MAX_Y))
        if bad.size:
            raise UploadError(f"line {rows[bad[0]][0]}: y must be from -{MAX_Y:g} to {MAX_Y:g}")
        return Points(xy, labels, "regression", 0)
    if not np.all(labels == np.round(labels)):
        line = rows[int(np.flatnonzero(labels != np.round(labels))[0])][0]
        raise UploadError(f"line {line}: a label must be a class: a whole number")
    found = sorted(set(labels.astype(int).tolist()))
    if set(found) <= {-1, 1}:
        return Points(xy, labels.astype(np.float64), "classification", 2)
    if found[0] < 0 or found[-1] >= MAX_CLASSES:
        raise UploadError(f"labels must be -1 and 1, or classes 0 to {MAX_CLASSES - 1} "
                          f"(found {found[0]} to {found[-1]})")
    k = found[-1] + 1
    if k == 2:  # 0/1 labels: the two-class form
        return Points(xy, np.where(labels > 0, 1.0, -1.0), "classification", 2)
    return Points(xy, labels.astype(np.int64), "classification", k)


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
