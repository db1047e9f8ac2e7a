"""One update, slowly, over the playground's real socket: trace, apply, and bad points."""

from __future__ import annotations

import pytest

from neuralab.labs.playground import Playground
from tests.server.test_playground import PLAYGROUND_WS, SMALL, reset


def test_trace_answers_the_sessions_own_update_and_changes_nothing(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        _, frame = reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "trace", "point": 5})
        answer = ws.receive_json()
        assert answer["type"] == "trace"
        assert answer["trace"] == Playground(**SMALL).trace(5)  # the same run, the same numbers
        assert answer["trace"]["layers"][0]["weights"] == frame["layers"][0]["weights"]
        ws.send_json({"type": "step"})  # the network was not touched by the trace
        after = ws.receive_json()
        same = Playground(**SMALL)
        same.step(1)
        assert after["layers"] == same.frame(100, 25)["layers"]


def test_apply_makes_the_update_keeps_the_epoch_and_sends_a_frame(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "apply", "point": 0})
        applied = ws.receive_json()
        frame = ws.receive_json()
        assert applied["type"] == "applied" and frame["type"] == "frame"
        assert frame["epoch"] == 0
        for layer, step in zip(frame["layers"], applied["trace"]["layers"], strict=True):
            assert layer["weights"] == step["new_weights"] != step["weights"]
            assert layer["biases"] == step["new_biases"]


def test_trace_pauses_a_playing_run(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "play"})
        assert ws.receive_json()["state"] == "playing"
        ws.send_json({"type": "trace", "point": 1})
        seen = []
        while (message := ws.receive_json())["type"] != "trace":
            seen.append(message)
            if message["type"] == "frame":
                ws.send_json({"type": "ack"})
        assert any(m["type"] == "state" and m["state"] == "paused" for m in seen)
        epoch = next(m for m in seen if m["type"] == "state")["epoch"]
        assert message["trace"]["epoch"] == epoch


@pytest.mark.parametrize(("point", "expected"), [
    (250, "a training point from 0 to 249"),
    (-1, "a training point from 0 to 249"),
    ("3", "whole number"),
    (True, "whole number"),
    (None, "whole number"),
])
@pytest.mark.parametrize("kind", ["trace", "apply"])
def test_a_bad_point_is_an_error_naming_it_and_the_socket_stays(client, kind, point, expected):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)  # 500 points, half for training
        ws.send_json({"type": kind, "point": point})
        answer = ws.receive_json()
        assert answer["type"] == "error" and answer["detail"][0]["param"] == "point"
        assert expected in answer["detail"][0]["message"]
        ws.send_json({"type": "trace", "point": 0})
        assert ws.receive_json()["type"] == "trace"


def test_trace_before_a_reset_asks_for_one(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        ws.send_json({"type": "trace", "point": 0})
        answer = ws.receive_json()
        assert answer["type"] == "error" and answer["detail"][0]["param"] == "type"
