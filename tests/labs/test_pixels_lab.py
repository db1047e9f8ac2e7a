"""Images as arrays: the 3x3 pictures and the downscaled astronaut."""

import base64

import numpy as np
import pytest

from neuralab.labs.pixels import astronaut, astronaut_jpeg, compose, downscale, to_hex
from neuralab.params import ParamError, group

RED = group("pixels")["red"].default
GREEN = group("pixels")["green"].default
BLUE = group("pixels")["blue"].default


def test_compose_puts_each_channel_in_its_place():
    pics = compose(RED, GREEN, BLUE)
    assert set(pics) == {"red", "green", "blue", "combined"}
    assert pics["red"].shape == (3, 3, 3)
    assert pics["red"][0, 0].tolist() == [0.8, 0, 0]
    assert pics["green"][0, 2].tolist() == [0, 1, 0]
    assert pics["blue"][2, 0].tolist() == [0, 0, 0.7]
    np.testing.assert_allclose(pics["combined"], pics["red"] + pics["green"] + pics["blue"])


def test_to_hex():
    pics = compose([[1, 0, 0]] * 3, [[0, 1, 0]] * 3, [[0.5, 0, 0]] * 3)
    hexes = to_hex(pics["combined"])
    assert hexes[0] == ["#ff0080", "#00ff00", "#000000"]


@pytest.mark.parametrize("bad", [[[1.5, 0, 0]] * 3, [[0, 0]] * 3, [[0, 0, 0]] * 2, "red",
                                 [[0, 0, float("nan")]] * 3])
def test_compose_rejects_bad_matrices(bad):
    with pytest.raises(ParamError) as info:
        compose(bad, GREEN, BLUE)
    assert info.value.param.startswith("red")


def test_downscale_averages_blocks():
    img = np.zeros((4, 4, 3), np.uint8)
    img[:2, :2] = 200
    img[2:, 2:] = 100
    small = downscale(img, 2)
    assert small.shape == (2, 2, 3)
    assert small[:, :, 0].tolist() == [[200, 0], [0, 100]]
    assert (downscale(img, 4) == img).all()


def test_downscale_uneven_side():
    img = np.full((10, 10, 3), 77, np.uint8)
    assert (downscale(img, 3) == 77).all()
    with pytest.raises(ValueError):
        downscale(img, 11)


@pytest.mark.parametrize("side", [8, 64, 100, 128])
def test_astronaut_payload(side):
    out = astronaut(side)
    assert out["shape"] == [side, side, 3]
    raw = base64.b64decode(out["data"])
    assert len(raw) == side * side * 3
    assert out["original_shape"] == [512, 512, 3]


def test_astronaut_is_cached_and_validated():
    assert astronaut(64) is astronaut(64)
    with pytest.raises(ParamError):
        astronaut(7)
    with pytest.raises(ParamError):
        astronaut(129)


def test_original_jpeg():
    data = astronaut_jpeg()
    assert data[:3] == b"\xff\xd8\xff" and len(data) < 200_000
