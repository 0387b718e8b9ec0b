"""The "Explain a step" view in a real browser against a real server: a training point chosen
by clicking the picture, a weight by clicking its cell, the chain rule's numbers multiplying
out to the engine's gradient, the nudge agreeing with dJ/dw, and the step applied."""

from __future__ import annotations

import math
import re

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import checked_page, save_screenshot
from tests.browser.test_page import FRAME_TIMEOUT_MS, _frames, _open
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

EXPLAIN_TIMEOUT_MS = 240_000  # a fresh server may still be compiling its program
STATUS = re.compile(r"^Step (\d+) .*Point (\d+) at \((-?[\d.]+), (-?[\d.]+)\)")
NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"


def _explained(page: Page, point: int) -> tuple[int, float, float]:
    """Wait for the explanation of `point`: its step and the point's shown (x1, x2)."""
    status = page.locator("#explain-status")
    expect(status).to_contain_text(f"Point {point} at", timeout=EXPLAIN_TIMEOUT_MS)
    found = STATUS.match(status.inner_text())
    assert found, status.inner_text()
    return int(found[1]), float(found[3]), float(found[4])


def _number(page: Page, selector: str) -> float:
    return float(page.locator(selector).inner_text())


def _close(value: float, expected: float, rel: float, floor: float) -> bool:
    return abs(value - expected) <= rel * abs(expected) + floor


def test_a_step_is_explained_and_applied(browser: Browser, live_server: LiveServer) -> None:
    domain = httpx.get(live_server.url + "api/config", timeout=30).json()["limits"]["domain"]
    with checked_page(browser, viewport={"width": 1400, "height": 900}) as page:
        _open(page, live_server.url + "#dataset=xor&hidden=4,3&activations=tanh,tanh")
        page.locator("#explain-open").click()
        expect(page.locator("#explain")).to_be_visible()
        # The view opens on point 0 and says so once the (compiled) answer comes.
        _, x1, x2 = _explained(page, 0)

        page.locator("#explain-point").fill("3")
        page.locator("#explain-point").press("Tab")
        _explained(page, 3)
        # Clicking point 0 on the picture chooses it again: the nearest to the click.
        box = page.locator("#boundary").bounding_box()
        assert box
        x = (x1 + domain) / (2 * domain) * box["width"]
        y = (domain - x2) / (2 * domain) * box["height"]
        page.locator("#boundary").click(position={"x": x, "y": y})
        step, _, _ = _explained(page, 0)

        # A weight of the first hidden layer: its chain rule has three factors.
        page.get_by_role("group", name="layer shown").get_by_role("button", name="layer 1").click()
        page.get_by_role("button", name="x2 to unit 2", exact=True).click()
        expect(page.get_by_role("button", name="x2 to unit 2", exact=True)).to_have_attribute(
            "aria-pressed", "true", timeout=EXPLAIN_TIMEOUT_MS
        )
        expect(page.locator("#explain-body h3", has_text="Chain rule for")).to_contain_text(
            "weight x2 -> unit 2 of the layer 1"
        )
        chain = page.locator("#explain-chain").inner_text()
        _, _, factors_text, product_text = chain.split(" = ")
        factors = [float(value) for value in re.findall(rf"\(({NUMBER})\)", factors_text)]
        assert len(factors) == 3, chain
        product = float(product_text)
        gradient = _number(page, "#explain-chain-gradient")
        # Each factor is shown to 4 significant digits: their product to about 3.
        assert _close(math.prod(factors), product, 2e-3, 1e-9), chain
        assert _close(product, gradient, 2e-3, 1e-9), (chain, gradient)

        # The slope of the cost nudged by epsilon = 0.001 is dJ/dw to a few digits.
        expect(page.locator("#explain-epsilon")).to_have_value("0.001")
        slope = _number(page, "#explain-slope")
        dj = _number(page, "#explain-dj")
        assert _close(slope, dj, 0.05, 2e-3), (slope, dj)
        save_screenshot(page, "explain-view")

        # Applying the step: a frame comes, then the next step's explanation, whose weight
        # before its update is the previous explanation's after.
        after = page.locator("#explain-after").inner_text()
        frames = _frames(page)
        page.locator("#explain-apply").click()
        expect(page.locator("#explain-status")).to_contain_text(
            f"Step {step + 1} ", timeout=FRAME_TIMEOUT_MS
        )
        expect(page.locator("#explain-before")).to_have_text(after)
        assert _frames(page) > frames
        expect(page.locator("#state")).not_to_have_text("running")

        page.locator("#explain-close").click()
        expect(page.locator("#explain")).to_be_hidden()
