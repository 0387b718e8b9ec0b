"""The digits lab's page in a real browser against a real server: training fills the
confusion matrix past 90% test accuracy, a "1" drawn on the pad is read as 1, a conv first
layer shows its k x k filters, a link reproduces a comparison, a refused setting is reported
with its field. The numbers are read from the page's data- attributes, not from pixels."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import checked_page, save_screenshot
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT_MS = 240_000  # a cold server compiles the digits programs before the first frame


@pytest.fixture
def digits_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    with checked_page(browser, viewport={"width": 1280, "height": 800}) as page:
        yield page


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#state")).to_have_text("idle", timeout=TIMEOUT_MS)


def _draw_a_one(page: Page) -> None:
    """A vertical stroke down the middle of the pad, in several moves."""
    box = page.locator("#pad").bounding_box()
    assert box is not None
    x, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.15
    page.mouse.move(x, top)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x, top + step * box["height"] * 0.07)
    page.mouse.up()


def test_training_fills_the_confusion_matrix_and_a_drawn_one_is_read(
    digits_page: Page, live_server: LiveServer
) -> None:
    page = digits_page
    _open(page, live_server.url + "digits.html")
    # The layers and parameter count are the server's (64-25-15-10 dense).
    expect(page.locator("#model-summary")).to_contain_text("parameters")
    confusion = page.locator("#confusion")
    expect(confusion.locator("tbody tr")).to_have_count(10)
    expect(page.locator("#test-grid .test-tile")).to_have_count(64)
    page.locator("#play").click()
    expect(page.locator("#state")).to_have_text("running")
    page.wait_for_function(
        "Number(document.querySelector('#confusion').dataset.diagonal) > 0", timeout=TIMEOUT_MS
    )
    first = int(confusion.get_attribute("data-diagonal") or 0)
    page.wait_for_function(
        "Number(document.querySelector('#test-accuracy').dataset.value) > 0.9",
        timeout=TIMEOUT_MS,
    )
    assert int(confusion.get_attribute("data-diagonal") or 0) > first
    assert int(confusion.get_attribute("data-total") or 0) > 0
    _draw_a_one(page)
    expect(page.locator("#predictions .prediction")).to_have_count(1, timeout=60_000)
    expect(page.locator("#predictions .prediction").first).to_have_attribute("data-top", "1")
    save_screenshot(page, "digits-trained")
    # A conv first layer: its filters are k x k images, one per filter.
    page.locator('[data-param="first_layer"]').select_option("conv")
    weights = page.locator("#weights")
    expect(weights).to_have_attribute("data-layer", "conv", timeout=TIMEOUT_MS)
    expect(weights).to_have_attribute("data-side", "3")
    expect(weights).to_have_attribute("data-images", "4")
    expect(page).to_have_url(re.compile(r"first_layer=conv"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # "Show code": the server's Keras script of this network, then its JAX one.
    page.locator("#show-code").click()
    code = page.locator("#code-dialog code")
    expect(code).to_contain_text("Conv2D", timeout=60_000)
    page.locator('#code-dialog [data-code="jax"]').click()
    expect(code).to_contain_text("import jax", timeout=60_000)
    expect(page.locator("#code-dialog")).to_have_attribute(
        "data-filename", "nn_playground_digits_jax.py"
    )


def test_a_link_reproduces_a_comparison_and_refusals_name_their_field(
    digits_page: Page, live_server: LiveServer
) -> None:
    page = digits_page
    compare = '[{"first_layer":"dense"},{"first_layer":"conv"}]'
    _open(page, live_server.url + f"digits.html#kernel=4&filters=2&compare={compare}")
    expect(page.locator('[data-param="kernel"]')).to_have_value("4")
    page.locator("#step").click()
    expect(page.locator("#numbers tbody tr")).to_have_count(2, timeout=TIMEOUT_MS)
    expect(page.locator('[data-preset="dense-conv"]')).to_have_attribute("aria-pressed", "true")
    page.locator("#picture-model").select_option("1")
    page.locator("#step").click()
    weights = page.locator("#weights")
    expect(weights).to_have_attribute("data-side", "4", timeout=TIMEOUT_MS)
    expect(weights).to_have_attribute("data-images", "2")
    # One sigmoid output tells two digits apart, not ten: the server refuses, naming the field.
    page.locator('[data-param="loss"]').select_option("sigmoid_ce")
    expect(page.locator("#notice")).to_contain_text("loss", timeout=60_000)
    expect(page.locator('[data-param="loss"]')).to_have_value("softmax_ce")


def test_a_lesson_opens_its_comparison_and_the_naive_softmax_diverges(
    digits_page: Page, live_server: LiveServer
) -> None:
    page = digits_page
    _open(page, live_server.url + "digits.html")
    page.locator("#lesson-menu").select_option("digits-softmax-from-logits")
    expect(page.locator("#lesson-title")).to_have_text("Ten digits: softmax from the logits")
    expect(page.locator('[data-param="learning_rate"]')).to_be_visible()
    page.locator("#play").click()
    rows = page.locator("#numbers tbody tr")
    expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
    # The naive loss overflows within a few epochs (lesson test: 4 to 23); the other trains on.
    expect(page.locator("#numbers tbody tr.diverged")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"lesson=digits-softmax-from-logits"))
