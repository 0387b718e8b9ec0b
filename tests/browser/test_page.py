"""The page in a real browser against a real server."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import save_screenshot
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_page_shows_server_health(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    expect(page.locator('[data-health="status"]')).to_have_text("ok")
    backend = httpx.get(live_server.url + "healthz", timeout=10).json()["backend"]
    expect(page.locator('[data-health="backend"]')).to_have_text(backend.upper())
    expect(page.locator("h1")).to_have_text("nn-playground")
    assert save_screenshot(page, "page-health").stat().st_size > 0
