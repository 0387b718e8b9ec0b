"""Shared fixtures: a real server process per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_server import LiveServer, run_server


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with run_server() as server:
        yield server
