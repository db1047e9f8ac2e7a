"""The playground's socket (frames at the page's pace), uploads and downloads, in process."""

from __future__ import annotations

import json

import pytest

from tests.helpers import LOCAL

PLAYGROUND_WS = LOCAL.replace("http", "ws") + "/api/playground/ws"  # TestClient's WebSockets

SMALL = {"layers": "2", "seed": 4}


def reset(ws, **params):
    ws.send_json({"type": "reset", "params": {**SMALL, **params}})
    points = ws.receive_json()
    frame = ws.receive_json()
    assert points["type"] == "points" and frame["type"] == "frame"
    return points, frame


def test_reset_sends_the_points_and_a_frame_at_epoch_zero(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        points, frame = reset(ws, ratio=20)
        assert len(points["train"]) == 3 * 100 and len(points["test"]) == 3 * 400
        assert frame["epoch"] == 0 and frame["state"] == "paused" and not frame["diverged"]
        assert frame["size"] == 100 and frame["thumb"] == 25
        assert len(frame["neurons"]) == 1 and len(frame["neurons"][0]) == 2


def test_step_trains_one_epoch_and_the_next_frame_waits_for_the_ack(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "step"})
        ws.send_json({"type": "step"})
        ws.send_json({"type": "ack"})  # the reset's frame was drawn
        first = ws.receive_json()
        # the first step's frame was replaced by the second's while the page was busy
        assert (first["type"], first["epoch"]) == ("frame", 2)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "step"})
        second = ws.receive_json()
        assert second["type"] == "frame" and second["epoch"] == 3


def test_play_streams_frames_at_the_pages_pace_and_pause_stops(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "play"})
        assert ws.receive_json() == {"type": "state", "state": "playing"}
        epochs = []
        for _ in range(5):
            frame = ws.receive_json()
            assert frame["type"] == "frame" and frame["state"] == "playing"
            epochs.append(frame["epoch"])
            ws.send_json({"type": "ack"})
        assert epochs == sorted(epochs) and len(set(epochs)) == 5
        # no ack for this one: nothing more is sent until the pause says where it stopped
        last = ws.receive_json()
        ws.send_json({"type": "pause"})
        while (message := ws.receive_json())["type"] != "state":
            pytest.fail(f"a frame was queued for a page that had not drawn the last: {message}")
        assert message["state"] == "paused" and message["epoch"] >= last["epoch"]
        ws.send_json({"type": "ack"})
        final = ws.receive_json()
        assert final["type"] == "frame" and final["epoch"] == message["epoch"]
        assert final["state"] == "paused"


def test_a_rate_change_takes_effect_without_a_reset(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "step"})
        ws.send_json({"type": "ack"})
        assert ws.receive_json()["epoch"] == 1
        ws.send_json({"type": "set", "params": {"learning_rate": 10}})
        ws.send_json({"type": "step"})
        ws.send_json({"type": "ack"})
        frame = ws.receive_json()
        assert frame["epoch"] == 2
    from neuralab.labs.playground import Playground

    slow = Playground(**SMALL)
    slow.step(2)
    assert frame["layers"][0]["weights"] != slow.net.parameters()[0]["weights"]


def test_bad_messages_name_the_parameter_and_keep_the_socket(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        for message, param in (
            ("not json", "message"),
            ({"type": "fly"}, "type"),
            ({"type": "step"}, "type"),  # nothing to step before a reset
            ({"type": "reset", "params": {"noise": 55}}, "noise"),
            ({"type": "reset", "params": {"wings": 2}}, "wings"),
            ({"type": "reset", "params": {"layers": "4,40"}}, "layers"),
        ):
            ws.send_text(message if isinstance(message, str) else json.dumps(message))
            answer = ws.receive_json()
            assert answer["type"] == "error" and answer["detail"][0]["param"] == param
        reset(ws)
        for message, param in (
            ({"type": "set", "params": {"noise": 10}}, "noise"),
            ({"type": "set", "params": {"learning_rate": 99}}, "learning_rate"),
            ({"type": "edit", "layer": 1, "neuron": 0, "source": 0, "value": "big"}, "value"),
            ({"type": "edit", "layer": 1, "neuron": 0, "source": 0, "value": 1e6}, "value"),
            ({"type": "edit", "layer": 7, "neuron": 0, "source": 0, "value": 1}, "layer"),
            ({"type": "use", "id": "nope"}, "id"),
        ):
            ws.send_json(message)
            answer = ws.receive_json()
            assert answer["type"] == "error" and answer["detail"][0]["param"] == param, answer


def test_an_edit_changes_the_weight_in_the_next_frame(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "edit", "layer": 1, "neuron": 1, "source": 0, "value": -2.5})
        frame = ws.receive_json()
        assert frame["layers"][0]["weights"][0][1] == -2.5


def test_regenerate_draws_new_points_and_keeps_the_epoch(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        before, _ = reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "step"})
        assert ws.receive_json()["epoch"] == 1
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "regenerate", "seed": 99})
        after = ws.receive_json()
        assert after["type"] == "points" and after["train"] != before["train"]
        assert ws.receive_json()["epoch"] == 1


def test_a_diverging_run_stops_and_says_so(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws, problem="regression", dataset="plane", learning_rate=10)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "play"})
        assert ws.receive_json()["state"] == "playing"
        state = frame = None
        while state is None or frame is None:  # the last frame may wait for the ack
            message = ws.receive_json()
            if message["type"] == "state":
                state = message
            else:
                assert message["type"] == "frame"
                ws.send_json({"type": "ack"})
                if message["diverged"]:
                    frame = message
        assert frame["state"] == "diverged" and frame["train_loss"] is None
        assert state == {"type": "state", "state": "diverged", "epoch": frame["epoch"]}


def test_upload_keeps_points_for_the_socket(client):
    csv = b"x1,x2,label\n1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n"
    answer = client.post("/api/playground/points", content=csv)
    assert answer.status_code == 200 and answer.json()["count"] == 4
    key = answer.json()["id"]
    assert client.get(f"/api/playground/points/{key}.csv").text.splitlines()[1] == "1,1,1"
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "use", "id": key})
        points = ws.receive_json()
        assert points["type"] == "points" and len(points["train"]) + len(points["test"]) == 12


@pytest.mark.parametrize(("body", "line"), [
    (b"x1,x2,label\n1,1,1\n1,oops,1\n", "line 3"),
    (b"1,1,1\n2,2\n", "line 2"),
    (b"1,1,1\n2,2,nan\n", "line 2"),
    (b"1,1,1\n9,2,1\n", "line 2"),
])
def test_a_bad_upload_is_a_422_naming_the_line(client, body, line):
    answer = client.post("/api/playground/points", content=body)
    assert answer.status_code == 422
    detail = answer.json()["detail"][0]
    assert detail["param"] == "file" and line in detail["message"]


def test_download_gives_the_settings_points_as_csv(client):
    answer = client.get("/api/playground/points.csv", params={"dataset": "xor", "seed": 2})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.splitlines()
    assert lines[0] == "x1,x2,label" and len(lines) == 501
    bad = client.get("/api/playground/points.csv", params={"noise": 70})
    assert bad.status_code == 422 and bad.json()["detail"][0]["param"] == "noise"


def test_the_playground_page_is_the_lab_page(client):
    answer = client.get("/playground")
    assert answer.status_code == 200 and 'data-view="playground"' in answer.text


def test_export_answers_the_network_as_json_or_a_script(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        for fmt, start in (("json", "{"), ("numpy", '"""'), ("torch", '"""')):
            ws.send_json({"type": "export", "format": fmt})
            answer = ws.receive_json()
            assert answer["type"] == "export" and answer["format"] == fmt
            assert answer["text"].startswith(start)
        ws.send_json({"type": "export", "format": "onnx"})
        assert ws.receive_json()["detail"][0]["param"] == "format"


def test_points_added_and_removed_by_hand_restart_the_run_and_are_downloadable(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        first, _ = reset(ws)
        ws.send_json({"type": "step"})
        ws.send_json({"type": "ack"})
        assert ws.receive_json()["epoch"] == 1
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "point", "action": "add", "x1": 2.5, "x2": -1, "label": -1})
        points, frame = ws.receive_json(), ws.receive_json()
        assert points["type"] == "points" and frame["type"] == "frame"
        assert frame["epoch"] == 0 and frame["state"] == "paused"
        assert len(points["train"]) == len(first["train"]) + 3
        assert points["train"][-3:] == [2.5, -1, -1]
        csv = client.get(f"/api/playground/points/{points['id']}.csv").text
        assert "2.5,-1,-1" in csv and len(csv.splitlines()) == 502
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "point", "action": "remove", "x1": 2.45, "x2": -1.02})
        points = ws.receive_json()
        assert len(points["train"]) == len(first["train"])
        assert ws.receive_json()["epoch"] == 0
        csv = client.get(f"/api/playground/points/{points['id']}.csv").text
        assert "2.5,-1,-1" not in csv and len(csv.splitlines()) == 501


@pytest.mark.parametrize(("message", "param"), [
    ({"action": "move", "x1": 0, "x2": 0}, "action"),
    ({"action": "add", "x1": "1", "x2": 0, "label": 1}, "x1"),
    ({"action": "add", "x1": 0, "x2": 0}, "label"),
    ({"action": "add", "x1": 6.5, "x2": 0, "label": 1}, "x1"),
    ({"action": "add", "x1": 0, "x2": -7, "label": 1}, "x2"),
    ({"action": "add", "x1": 0, "x2": 0, "label": 2}, "label"),
    ({"action": "remove", "x1": 5.9, "x2": 5.9}, "x1"),
])
def test_a_bad_point_is_answered_with_an_error_naming_it(client, message, param):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws, dataset="xor")
        ws.send_json({"type": "point", **message})
        answer = ws.receive_json()
        assert answer["type"] == "error" and answer["detail"][0]["param"] == param, answer
        ws.send_json({"type": "step"})  # the socket still works
        ws.send_json({"type": "ack"})
        assert ws.receive_json()["type"] == "frame"


def test_the_optimizer_changes_in_place_and_a_bad_one_is_named(client):
    with client.websocket_connect(PLAYGROUND_WS) as ws:
        reset(ws)
        ws.send_json({"type": "set", "params": {"optimizer": "adam"}})
        ws.send_json({"type": "step"})
        ws.send_json({"type": "ack"})
        assert ws.receive_json()["epoch"] == 1
        ws.send_json({"type": "set", "params": {"optimizer": "nesterov"}})
        answer = ws.receive_json()
        assert answer["type"] == "error" and answer["detail"][0]["param"] == "optimizer"
