"""neuralab.show(): one live section of the lab in a notebook cell."""

from __future__ import annotations

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

import neuralab
from neuralab.params import ParamError


def test_show_starts_the_lab_once_and_embeds_a_section():
    view = neuralab.show("compare", mlp_width=64, train_size=2000)
    parts = urlsplit(view.url)
    assert parts.hostname == "127.0.0.1" and parts.fragment == "mnist"
    query = parse_qs(parts.query)
    assert query["sections"] == ["mnist"] and query["embed"] == ["1"]
    assert query["compare.mlp_width"] == ["64"] and query["compare.train_size"] == ["2000"]
    with urllib.request.urlopen(view.url, timeout=10) as r:  # the server answers
        assert r.status == 200 and b'data-view="compare"' in r.read()
    html = view._repr_html_()
    assert html.startswith("<iframe") and 'height="820"' in html
    again = neuralab.show("neuron", w1=1.5, x1=True, height=600)
    assert urlsplit(again.url).port == parts.port  # the same background server
    assert "neuron.w1=1.5" in again.url and "neuron.x1=1" in again.url


def test_show_uses_a_lab_already_running():
    view = neuralab.show("pixels", url="http://127.0.0.1:9999/", resolution=32)
    assert view.url.startswith("http://127.0.0.1:9999/?sections=pixels&embed=1")
    assert "pixels.resolution=32" in view.url and view.url.endswith("#pixels")


@pytest.mark.parametrize(("args", "kwargs", "param"), [
    (("playgrund",), {}, "section"),
    (("compare",), {"mlp_width": 999}, "mlp_width"),
    (("compare",), {"colour": 1}, "colour"),
    (("next",), {"w1": 1}, "w1"),
    (("compare",), {"height": 50}, "height"),
])
def test_bad_arguments_name_the_parameter(args, kwargs, param):
    with pytest.raises(ParamError) as info:
        neuralab.show(*args, url="http://127.0.0.1:9999", **kwargs)
    assert info.value.param == param
