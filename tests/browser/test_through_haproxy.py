"""The page served through HAProxy by `nn-playground --workers 2` trains in chromium exactly
as when one process serves it: test_page's first scenario, run through the balancer (the
page, its API calls and its websocket all pass through HAProxy), and a control's change
reaching the one process that holds the page's session."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import FRAME_TIMEOUT_MS
from tests.browser.test_page import _open as open_page
from tests.browser.test_page import (
    test_frames_arrive_and_training_changes_the_picture as trains_and_draws,
)
from tests.serving.cluster import Cluster, run_cluster

# The cluster's start counts against the first test (a cold cache compiles first).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with run_cluster() as running:
        yield running


def test_page_through_haproxy_trains_and_draws(page: Page, cluster: Cluster) -> None:
    trains_and_draws(page, cluster.balancer)


def test_page_through_haproxy_has_one_session_that_takes_its_changes(
    page: Page, cluster: Cluster
) -> None:
    open_page(page, cluster.balancer.url)
    sessions = [
        httpx.get(cluster.worker_url(i) + "healthz", timeout=10).json()["sessions"]
        for i in range(2)
    ]
    assert sorted(sessions) == [0, 1], sessions  # one page, one session on one process
    hidden = page.locator('[data-param="hidden"]')
    hidden.fill("3, 5, 2")
    hidden.press("Enter")
    expect(page.locator("#network .layer")).to_have_count(4, timeout=FRAME_TIMEOUT_MS)
    expect(page.locator("#network .layer").nth(2).locator(".thumb")).to_have_count(5)
