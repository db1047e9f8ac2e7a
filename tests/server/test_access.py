"""Who may use the lab, in process: the Host allow-list, same-origin checks and the token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from neuralab.server import create_app
from neuralab.server.access import Access, is_loopback, split_host
from tests.helpers import COMPARE_WS, LOCAL

TOKEN = "s3cret-token"
CLASS_HOST = "192.0.2.7"  # a documentation address: only ever a Host header here


@pytest.fixture(scope="module")
def local():
    with TestClient(create_app(), base_url=LOCAL) as c:
        yield c


@pytest.fixture
def classroom():
    access = Access.for_bind("0.0.0.0", token=TOKEN, addresses=[CLASS_HOST])
    with TestClient(create_app(access=access), base_url=f"http://{CLASS_HOST}:8000") as c:
        yield c


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost:9", "[::1]:8000",
                                  "LOCALHOST"])
def test_loopback_names_are_served(local, host):
    assert local.get("/api/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.0.2.7", "",
                                  "localhost.evil.example"])
def test_a_foreign_host_is_refused(local, host):
    r = local.get("/api/health", headers={"host": host})
    assert r.status_code == 403 and r.json()["detail"][0]["param"] == "host"


def test_a_foreign_host_cannot_open_a_websocket(local):
    with pytest.raises(WebSocketDisconnect) as refused, \
            local.websocket_connect(COMPARE_WS, headers={"host": "evil.example"}):
        pass
    assert refused.value.code == 1008


def test_a_websocket_from_another_origin_is_refused(local):
    for origin in ("http://evil.example", "http://127.0.0.1:9999", "null", "https://127.0.0.1"):
        with pytest.raises(WebSocketDisconnect) as refused, \
                local.websocket_connect(COMPARE_WS, headers={"origin": origin}):
            pass
        assert refused.value.code == 1008, origin


def test_a_websocket_from_the_lab_page_or_a_program_is_accepted(local):
    for headers in ({"origin": "http://127.0.0.1"}, {}):
        with local.websocket_connect(COMPARE_WS, headers=headers) as ws:
            ws.send_text("{oops")
            assert ws.receive_json()["type"] == "error"


def test_a_state_changing_request_from_another_origin_is_refused(local):
    body = {"exercise": "pedestrian", "code": "def f(image): ..."}
    r = local.post("/api/functions/check", json=body, headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and r.json()["detail"][0]["param"] == "origin"
    assert local.post("/api/functions/check", json=body,
                      headers={"origin": "http://127.0.0.1"}).status_code == 200
    assert local.post("/api/functions/check", json=body).status_code == 200
    # reading is harmless: a GET from elsewhere is answered (the browser keeps it from them)
    assert local.get("/api/health", headers={"origin": "http://evil.example"}).status_code == 200


def test_without_a_token_nothing_is_served_off_loopback(classroom):
    for path in ("/api/health", "/api/params", "/docs", "/openapi.json", "/static/main.js"):
        r = classroom.get(path)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"].startswith("Token")
    assert classroom.get("/api/health", params={"token": "wrong"}).status_code == 401
    page = classroom.get("/", headers={"accept": "text/html"})
    assert page.status_code == 401 and 'name="token"' in page.text
    with pytest.raises(WebSocketDisconnect), \
            classroom.websocket_connect(f"ws://{CLASS_HOST}:8000/api/compare/ws"):
        pass


def test_the_token_in_the_url_sets_a_cookie_and_is_taken_out_of_the_address(classroom):
    r = classroom.get("/", params={"compare.mlp_width": "48", "token": TOKEN},
                      headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/?compare.mlp_width=48"
    assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Lax" in r.headers["set-cookie"]
    # the cookie now opens everything: the page, its requests, /docs and the WebSocket
    assert classroom.get("/", headers={"accept": "text/html"}).status_code == 200
    assert classroom.get("/docs").status_code == 200
    assert classroom.get("/openapi.json").status_code == 200
    with classroom.websocket_connect(f"ws://{CLASS_HOST}:8000/api/compare/ws",
                                     headers={"origin": f"http://{CLASS_HOST}:8000"}) as ws:
        ws.send_text("{oops")
        assert ws.receive_json()["type"] == "error"


def test_the_token_in_a_header_or_the_query_serves_a_program(classroom):
    assert classroom.get("/api/health", headers={"authorization": f"token {TOKEN}"}
                         ).status_code == 200
    assert classroom.get("/api/health", headers={"authorization": f"Bearer {TOKEN}"}
                         ).status_code == 200
    r = classroom.get("/api/health", params={"token": TOKEN})
    assert r.status_code == 200 and "set-cookie" in r.headers


def test_the_token_does_not_open_a_foreign_host(classroom):
    r = classroom.get("/api/health", params={"token": TOKEN}, headers={"host": "evil.example"})
    assert r.status_code == 403


def test_a_non_loopback_bind_always_has_a_token_and_its_addresses():
    made = Access.for_bind("0.0.0.0", addresses=["192.0.2.9"])
    assert made.token and len(made.token) >= 32
    assert made.token != Access.for_bind("0.0.0.0").token
    assert made.allows_host("192.0.2.9:8000") and made.allows_host("localhost")
    assert not made.allows_host("0.0.0.0")
    assert Access.for_bind("127.0.0.1").token is None
    assert Access.for_bind("127.0.0.1", token="given").token == "given"


def test_allow_host_adds_names_and_star_allows_any():
    named = Access.for_bind("127.0.0.1", allow_hosts=["lab.school.example", " "])
    assert named.allows_host("lab.school.example:443") and not named.allows_host("other")
    assert Access.for_bind("127.0.0.1", allow_hosts=["*"]).allows_host("anything.example")


def test_host_names_and_loopback():
    assert split_host("[::1]:8000") == "::1" and split_host("Example.COM.:80") == "example.com"
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")
