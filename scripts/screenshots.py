"""Take the README's screenshots (docs/screenshots/) from a real server and Debian's chromium.

    .venv/bin/python scripts/screenshots.py            # every picture
    .venv/bin/python scripts/screenshots.py page       # the ones named

Each picture is a run anyone can reproduce: the link it opens is printed beside it."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


@contextmanager
def server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "nn_playground", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def train_to(page: Page, epochs: int) -> None:
    page.wait_for_function("Number(window.nnPlayground?.frames || 0) >= 1", timeout=60_000)
    page.locator("#play").click()
    page.wait_for_function(
        f"Number(document.querySelector('#epoch').textContent) >= {epochs}", timeout=180_000
    )
    page.locator("#play").click()
    page.wait_for_timeout(500)


def page_shot(page: Page, url: str) -> str:
    features = "x1,x2,x1^2,x2^2,x1*x2,sin_x1,sin_x2"
    link = (
        url + f"#dataset=spiral&features={features}&hidden=8,6,4&activations=tanh,tanh,tanh&speed=5"
    )
    page.goto(link)
    train_to(page, 300)
    return link


def lesson_shot(page: Page, url: str) -> str:
    link = url + "#lesson=vanishing-gradients&classroom=1"
    page.goto(link)
    train_to(page, 200)
    return link


def explain_shot(page: Page, url: str) -> str:
    link = url + "#lesson=backprop-one-step"
    page.goto(link)
    train_to(page, 20)  # the lesson opens the view; a click would close it
    if not page.locator("#explain-status").is_visible():
        page.locator("#explain-open").click()
    # The first explanation compiles its program: up to half a minute.
    page.locator("#explain-status").get_by_text("Point 0 at").wait_for(timeout=180_000)
    weight = page.get_by_role("button", name="x1 to unit 2", exact=True)
    weight.click()
    expect(weight).to_have_attribute("aria-pressed", "true", timeout=60_000)
    page.wait_for_timeout(500)
    return link


def digits_shot(page: Page, url: str) -> str:
    link = url + "digits.html#speed=2"
    page.goto(link)
    train_to(page, 60)
    box = page.locator("#pad").bounding_box()
    assert box is not None
    # A 0: an upright ellipse, drawn in one stroke.
    ellipse = [
        (0.5 + 0.22 * math.sin(a / 24 * math.tau), 0.5 - 0.32 * math.cos(a / 24 * math.tau))
        for a in range(25)
    ]
    x, y = box["x"], box["y"]
    page.mouse.move(x + ellipse[0][0] * box["width"], y + ellipse[0][1] * box["height"])
    page.mouse.down()
    for px, py in ellipse[1:]:
        page.mouse.move(x + px * box["width"], y + py * box["height"])
    page.mouse.up()
    page.locator("#predictions .prediction").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    return link


# name: (what opens and trains the run, returning its link; the whole page, or the first
# screen; the screen's height)
SHOTS: dict[str, tuple[Callable[[Page, str], str], bool, int]] = {
    "page": (page_shot, False, 720),
    "lesson": (lesson_shot, True, 720),
    "explain": (explain_shot, False, 1000),  # the view is a drawer fixed to the screen
    "digits": (digits_shot, False, 800),
}


def main(names: list[str]) -> None:
    chosen = names or list(SHOTS)
    with server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in chosen:
            shoot, whole, height = SHOTS[name]
            page = browser.new_page(viewport={"width": 1280, "height": height})
            link = shoot(page, url)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=whole)
            print(f"{name}.png: {link}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
