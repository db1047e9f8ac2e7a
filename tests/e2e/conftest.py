"""Helpers for the browser tests: open the lab, wait until every view has mounted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


class Lab:
    """The lab page in one browser tab, with console errors collected."""

    def __init__(self, page: Page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, query: str = "", anchor: str = "") -> Page:
        url = f"{self.base}/" + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")
        self.page.goto(url)
        self.wait_ready()
        return self.page

    def wait_ready(self) -> None:
        self.page.wait_for_selector("body[data-ready=true]", timeout=15_000)

    def playground(self, query: str = "") -> tuple[Page, object]:
        """Open the full-page playground (``/playground?query``) once its first frame is drawn;
        the page and the view's locator."""
        self.page.goto(f"{self.base}/playground" + (f"?{query}" if query else ""))
        self.wait_ready()
        view = self.page.locator(".pg")
        expect(view).not_to_have_attribute("data-frames", "0")
        return self.page, view

    def reload(self) -> Page:
        self.page.reload()
        self.wait_ready()
        return self.page

    def query(self) -> str:
        return self.page.evaluate("location.search")

    def press(self, label: str, key: str, times: int = 1, within: str = "") -> None:
        """Focus the control named ``label`` and press ``key`` ``times`` times."""
        scope = self.page.locator(within) if within else self.page
        control = scope.get_by_label(label, exact=True)
        control.focus()
        for _ in range(times):
            control.press(key)


@pytest.fixture
def lab(page: Page, lab_url: str) -> Lab:
    page.set_default_timeout(5_000)
    return Lab(page, lab_url)



@pytest.fixture
def sized_page(browser):
    """``sized_page(width, height, **options)``: a page in a browser context of its own with
    that viewport (and e.g. ``has_touch=True``), closed after the test."""
    contexts = []

    def make(width: int, height: int, **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
