"""When the lab server cannot be reached, the page says so in its own words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_request_that_cannot_reach_the_server_says_so(lab):
    page = lab.open(anchor="functions")
    page.route(re.compile(r"/api/functions/check$"), lambda route: route.abort())
    box = page.locator("#functions textarea").first
    box.fill("def detect(image: Image) -> bool:")
    page.locator("#functions").get_by_role("button", name=re.compile("Check")).first.click()
    summary = page.locator("#functions .fn-summary").first
    expect(summary).to_contain_text("cannot be reached")
    expect(summary).not_to_contain_text("Failed to fetch")


def test_the_comparison_says_the_server_is_gone_instead_of_training(lab):
    # every socket to the comparison is closed at once, as if the server had stopped
    lab.page.route_web_socket(re.compile(r"/api/compare/ws$"), lambda ws: ws.close())
    page = lab.open("compare.seed=7201", anchor="mnist")
    status = page.locator("#mnist .compare-status")
    expect(status).to_contain_text("cannot be reached")
    expect(page.locator("#mnist .compare")).to_have_attribute("data-connection", "closed")
    lab.press("Tree Depth", "ArrowRight", within="#mnist")
    expect(page.locator("#mnist .compare")).to_have_attribute("data-pending", "0")
    expect(status).to_contain_text("cannot be reached")
    expect(status).not_to_have_text("Training…")
