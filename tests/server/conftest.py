"""Server tests share compiled frame programs through the persistent compilation cache, and
open sessions through starlette's TestClient (no network) unless they say otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from nn_playground.edge.app import create_app
from nn_playground.engine.runtime.compilation import enable_persistent_cache
from tests.server.client_helpers import Conversation

enable_persistent_cache()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def conversation(client: TestClient) -> Iterator[Conversation]:
    """A fresh session; the test reads its opening messages (Conversation.start)."""
    with client.websocket_connect("/ws") as websocket:
        yield Conversation(websocket)
