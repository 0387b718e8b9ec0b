"""A server process that stops under a playing page: the page says the connection was lost,
reconnects to the process that took its place on the same port, runs the link's settings
again from epoch 0 and plays on. A full server is explained and not retried in a loop."""

from __future__ import annotations

import json
import struct
import time
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, WebSocket, expect

from tests.browser.conftest import save_screenshot
from tests.live_server import free_port, run_server, stop_process

pytestmark = pytest.mark.browser

FRAME_TIMEOUT_MS = 240_000  # a cold server compiles its programs before the first frames
LINK = "#dataset=xor&hidden=5,4,3&activations=relu&learning_rate=0.3&seed=3&speed=5"


def _frames(page: Page) -> int:
    return int(page.evaluate("Number(window.nnPlayground?.frames || 0)"))


def _wait_for_frames(page: Page, count: int) -> None:
    page.wait_for_function(
        f"Number(window.nnPlayground?.frames || 0) >= {count}", timeout=FRAME_TIMEOUT_MS
    )


class Connections:
    """The page's websocket connections as the browser saw them (the drawing worker opens
    them), with the model headers of the frames each received."""

    def __init__(self, page: Page) -> None:
        self.opened: list[WebSocket] = []
        self.models: list[list[dict[str, Any]]] = []  # per connection, every frame's first model
        self.trained: list[list[int]] = []  # per connection, every frame's number of models
        page.on("websocket", self._add)

    def _add(self, socket: WebSocket) -> None:
        index = len(self.opened)
        self.opened.append(socket)
        self.models.append([])
        self.trained.append([])
        socket.on("framereceived", lambda payload: self._received(index, payload))

    def _received(self, index: int, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            (length,) = struct.unpack_from("<I", payload)
            header = json.loads(payload[4 : 4 + length])
            self.models[index].append(header["models"][0])
            self.trained[index].append(len(header["models"]))


def _expect_link_settings(page: Page) -> None:
    expect(page.locator('[data-param="dataset"]')).to_have_value("xor")
    expect(page.locator('[data-param="hidden"]')).to_have_value("5, 4, 3")
    expect(page.locator('[data-param="activations"]')).to_have_value("relu")
    expect(page.locator('[data-param="seed"]')).to_have_value("3")
    expect(page.locator('[data-show="learning_rate"]')).to_have_text("0.3")
    expect(page.locator("#speed-value")).to_have_text("5")


def test_a_stopped_server_is_replaced_and_the_page_restores_its_run(page: Page) -> None:
    port = free_port()
    connections = Connections(page)
    with run_server("--port", str(port)) as first:
        page.goto(first.url + LINK)
        _wait_for_frames(page, 1)
        _expect_link_settings(page)
        page.locator("#play").click()
        expect(page.locator("#state")).to_have_text("running", timeout=FRAME_TIMEOUT_MS)
        page.wait_for_function(
            "Number(document.getElementById('epoch').textContent) >= 50",
            timeout=FRAME_TIMEOUT_MS,
        )
        assert len(connections.opened) == 1
        assert connections.models[0][-1]["hidden"] == [5, 4, 3]

        stop_process(first.process)  # SIGTERM: uvicorn closes the websocket with 1012
        expect(page.locator("#state")).to_have_text("reconnecting")
        banner = page.locator("#banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Connection lost")
        expect(page.locator("#reconnect")).to_be_hidden()  # it retries by itself
        expect(page.locator("#play")).to_have_text("Pause")  # the next session will play
        # Nothing listens on the port: attempts fail, and the page keeps trying.
        page.wait_for_function(
            "document.getElementById('banner-text').textContent.includes('attempt')",
            timeout=30_000,
        )
        frames_before = _frames(page)
        save_screenshot(page, "reconnect-lost")
        attempts = len(connections.opened)
        assert attempts >= 2, "no reconnection attempt while the server was away"

    with run_server("--port", str(port)) as second:
        expect(page.locator("#notice")).to_contain_text(
            "training restarted from epoch 0 with your settings", timeout=FRAME_TIMEOUT_MS
        )
        expect(page.locator("#banner")).to_be_hidden()
        _wait_for_frames(page, frames_before + 5)  # the counter goes on across sessions
        # The page was playing: it plays again, from the start.
        expect(page.locator("#state")).to_have_text("running", timeout=FRAME_TIMEOUT_MS)
        _expect_link_settings(page)
        expect(page.locator("#network .layer")).to_have_count(4, timeout=FRAME_TIMEOUT_MS)
        expect(page.locator("#network .layer").nth(1).locator(".thumb")).to_have_count(5)
        # The new process trains the link's network: its own frames say so.
        last = connections.models[-1]
        assert last, "the new connection received no frame"
        assert last[-1]["hidden"] == [5, 4, 3]
        assert last[-1]["learning_rate"] == pytest.approx(0.3)
        # Its first frame may already hold one frame's epochs (speed 5): the link's settings,
        # speed and play reach the new session before it draws.
        epochs = [model["epoch"] for model in last]
        assert epochs[0] <= 5, f"the new session did not start from the beginning: {epochs[:8]}"
        save_screenshot(page, "reconnect-restored")
        assert second.process.poll() is None


def test_a_full_server_is_explained_and_not_retried_in_a_loop(page: Page) -> None:
    with run_server("--max-sessions", "1") as server:
        holder = page.context.new_page()
        holder.goto(server.url)
        _wait_for_frames(holder, 1)

        connections = Connections(page)
        page.goto(server.url + LINK)
        expect(page.locator("#state")).to_have_text("busy", timeout=60_000)
        banner = page.locator("#banner")
        expect(banner).to_contain_text("the server is training 1 sessions, its limit")
        retry = page.locator("#reconnect")
        expect(retry).to_be_visible()
        expect(retry).to_have_text("Try again")
        save_screenshot(page, "reconnect-busy")
        time.sleep(3)  # longer than the first backoff steps together
        assert len(connections.opened) == 1, "a full server was asked again by itself"
        expect(page.locator("#state")).to_have_text("busy")

        # The other learner leaves; "Try again" now gets a session with the link's run.
        holder.close()
        page.wait_for_function(
            "fetch('healthz').then((r) => r.json()).then((h) => h.sessions === 0)",
            timeout=30_000,
        )
        retry.click()
        _wait_for_frames(page, 1)
        expect(banner).to_be_hidden()
        assert len(connections.opened) == 2
        _expect_link_settings(page)
        expect(page.locator("#network .layer")).to_have_count(4, timeout=FRAME_TIMEOUT_MS)


def test_a_killed_server_gives_back_drawn_points_and_the_comparison(page: Page) -> None:
    """Points the learner gave are not in the link: the page keeps them and sends them again.
    A killed process (no close frame: 1006) is reconnected to like a drained one."""
    port = free_port()
    connections = Connections(page)
    compare = quote(json.dumps([{}, {"activations": ["sigmoid"]}], separators=(",", ":")))
    points = "x,y,label\n1,2,0\n3,4,1\n-2,-2,0\n-3,1,1\n2,-3,0\n-1,4,1\n"
    with run_server("--port", str(port)) as first:
        page.goto(first.url + f"#learning_rate=0.1&compare={compare}")
        _wait_for_frames(page, 1)
        expect(page.locator(".compare-grid canvas")).to_have_count(2, timeout=FRAME_TIMEOUT_MS)
        page.locator("#upload-csv").set_input_files(
            files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": points.encode()}]
        )
        page.wait_for_function("document.body.dataset.points === '6'", timeout=FRAME_TIMEOUT_MS)
        expect(page.locator('[data-param="dataset"]')).to_have_value("custom")
        first.process.kill()
        first.process.wait()
        expect(page.locator("#state")).to_have_text("reconnecting")
        page.evaluate("document.body.dataset.points = 'gone'")  # the next data message sets it
        frames_before = _frames(page)

    with run_server("--port", str(port)):
        expect(page.locator("#notice")).to_contain_text(
            "training restarted from epoch 0", timeout=FRAME_TIMEOUT_MS
        )
        page.wait_for_function("document.body.dataset.points === '6'", timeout=FRAME_TIMEOUT_MS)
        expect(page.locator('[data-param="dataset"]')).to_have_value("custom")
        expect(page.locator('[data-show="learning_rate"]')).to_have_text("0.1")
        expect(page.locator(".compare-grid canvas")).to_have_count(2)
        _wait_for_frames(page, frames_before + 1)
        before_step = _frames(page)
        page.locator("#step").click()  # the page was not playing: it waits, as it did
        _wait_for_frames(page, before_step + 1)
        expect(page.locator("#state")).to_have_text("paused")
        assert connections.trained[-1][-1] == 2, "the new session does not compare two models"
        assert "dataset" not in page.url
        save_screenshot(page, "reconnect-points")
