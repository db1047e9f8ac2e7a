"""The front end's files from memory: gzip, ETags and 304s, a file edited on disk, HEAD."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from neuralab.server.assets import Assets


def test_a_script_is_sent_gzipped_with_its_type_and_an_etag(client):
    r = client.get("/static/main.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert "javascript" in r.headers["content-type"]
    assert r.headers["cache-control"] == "no-cache"
    assert r.text.startswith("//") or "import" in r.text  # httpx undid the gzip
    raw = client.get("/static/main.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.content == r.content
    assert int(r.headers["content-length"]) < len(raw.content) // 2  # sent compressed


def test_a_file_the_browser_holds_is_answered_304(client):
    first = client.get("/static/style.css")
    etag = first.headers["etag"]
    again = client.get("/static/style.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/static/style.css", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content


def test_the_page_itself_comes_the_same_way(client):
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["content-encoding"] == "gzip" and "<html" in r.text
    assert client.get("/", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    head = client.head("/static/main.js", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(client.get("/static/main.js").content)


def _app(folder):
    return TestClient(Starlette(routes=[Mount("/static", Assets(
        folder, fallback=StaticFiles(directory=folder)))]))


def test_a_file_edited_on_disk_is_read_again_and_a_new_one_is_found(tmp_path):
    (tmp_path / "a.js").write_text("export const a = 1;\n")
    client = _app(tmp_path)
    first = client.get("/static/a.js")
    assert first.text == "export const a = 1;\n"
    (tmp_path / "a.js").write_text("export const a = 22;\n")
    os.utime(tmp_path / "a.js", ns=(1, 1))  # a different stamp even within one tick
    second = client.get("/static/a.js")
    assert second.text == "export const a = 22;\n"
    assert second.headers["etag"] != first.headers["etag"]
    (tmp_path / "b.js").write_text("export const b = 2;\n")  # after start: the fallback
    assert client.get("/static/b.js").text == "export const b = 2;\n"
    assert client.get("/static/missing.js").status_code == 404
    (tmp_path / "a.js").unlink()
    assert client.get("/static/a.js").status_code == 404
