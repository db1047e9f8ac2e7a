"""Run the lab server and Chromium together and report every request and console error
(the lab's page, then the API's /docs).

Used by test_offline.py under ``unshare -n`` (no network but loopback); prints one JSON
object. Not a test itself.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def main(chromium: str, args: list[str]) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "neuralab", "serve", "--port", str(port),
                               "--no-browser"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    report: dict = {"requests": [], "outside": [], "console_errors": [], "failed": [],
                    "ready": False, "sections": [], "docs": 0}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=args)
            page = browser.new_page()

            def on_request(req) -> None:
                report["requests"].append(req.url)
                host = urlsplit(req.url).hostname or ""
                if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOOPBACK:
                    report["outside"].append(req.url)

            page.on("request", on_request)
            page.on("websocket", lambda ws: on_request(type("R", (), {"url": ws.url})()))
            page.on("requestfailed", lambda r: report["failed"].append(
                f"{r.url} {r.failure}"))
            page.on("console", lambda m: report["console_errors"].append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: report["console_errors"].append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("body[data-ready=true]", timeout=20_000)
            report["ready"] = True
            for section in page.locator("main > section").all():
                section.scroll_into_view_if_needed()
                report["sections"].append(section.get_attribute("id"))
                page.wait_for_timeout(150)
            page.wait_for_timeout(1500)  # let late requests (images, streams) happen
            # The API's own pages: Swagger UI and ReDoc, drawn from local assets.
            page.goto(f"http://127.0.0.1:{port}/docs")
            page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
            report["docs"] = page.locator(".swagger-ui .opblock").count()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
