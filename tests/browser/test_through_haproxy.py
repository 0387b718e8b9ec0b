"""The page served through HAProxy by `nn-playground --workers 2` trains in chromium exactly
as when one process serves it: the same scenario as test_page's first test, run through the
balancer (the page, its API calls and its websocket all pass through HAProxy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.browser.test_page import (
    test_frames_arrive_and_training_changes_the_picture as trains_and_draws,
)
from tests.browser.test_page import (
    test_model_controls_reach_the_server as controls_reach_the_server,
)
from tests.live_server import LiveServer
from tests.serving.cluster import run_cluster

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def balanced() -> Iterator[LiveServer]:
    with run_cluster() as cluster:
        yield cluster.balancer


def test_page_through_haproxy_trains_and_draws(page: Page, balanced: LiveServer) -> None:
    trains_and_draws(page, balanced)


def test_page_through_haproxy_controls_reach_the_server(page: Page, balanced: LiveServer) -> None:
    controls_reach_the_server(page, balanced)
