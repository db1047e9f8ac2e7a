"""The lab with a token, in Chromium: the printed link opens it, the cookie then carries the
page's own requests and its WebSocket, and a comparison runs; without the token, the page
asks for it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import free_port, wait_for_port

pytestmark = pytest.mark.e2e

TOKEN = "browser-token-7"


@pytest.fixture(scope="module")
def token_url():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "neuralab", "serve", "--port", str(port),
                             "--no-browser", "--token", TOKEN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_printed_link_opens_the_lab_and_a_comparison_runs(page: Page, token_url: str):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{token_url}/?token={TOKEN}#mnist")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    assert "token" not in page.url  # taken out of the address bar, kept in a cookie
    view = page.locator("#mnist .compare")  # it trains the lesson's settings on its own
    expect(view).to_have_attribute("data-state", "done", timeout=30_000)
    assert errors == []


def test_without_the_token_the_page_asks_for_it(page: Page, token_url: str):
    response = page.goto(f"{token_url}/")
    assert response is not None and response.status == 401
    page.get_by_label("Token").fill(TOKEN)
    page.get_by_role("button", name="Open the lab").click()
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
