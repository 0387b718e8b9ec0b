"""Who gets a session: the busy answer of a full server (message, then close 1013), the
origin check at the handshake, and the slot a session gives back when it ends (TestClient;
tests/server/test_live_limits.py checks the same against a real server)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nn_playground.edge.admission import SessionSlots, origin_allowed
from nn_playground.edge.app import create_app
from nn_playground.options import SAME_ORIGIN, ServerOptions
from nn_playground.protocol import Busy, Ready
from tests.server.client_helpers import Conversation, parse_text


@pytest.fixture
def capped() -> Iterator[TestClient]:
    with TestClient(create_app(ServerOptions(max_sessions=1))) as client:
        yield client


def test_a_client_over_the_cap_is_told_busy_then_closed_1013(capped: TestClient) -> None:
    with capped.websocket_connect("/ws") as first:
        Conversation(first).start()
        with capped.websocket_connect("/ws") as second:
            busy = parse_text(second.receive_text())
            close = second.receive()
    assert isinstance(busy, Busy)
    assert busy.max_sessions == 1
    assert busy.reason == "the server is training 1 sessions, its limit; try later"
    assert close == {"type": "websocket.close", "code": 1013, "reason": "server full"}


def test_a_slot_given_back_admits_the_next_client(capped: TestClient) -> None:
    with capped.websocket_connect("/ws") as first:
        Conversation(first).start()
    deadline = time.monotonic() + 30
    while True:  # the first session ends a moment after its socket closes
        with capped.websocket_connect("/ws") as second:
            message = parse_text(second.receive_text())
        if isinstance(message, Ready):
            break
        assert isinstance(message, Busy)
        assert time.monotonic() < deadline, "the first session kept its slot"
        time.sleep(0.02)


def test_a_foreign_origin_is_refused_before_the_handshake(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/ws", headers={"origin": "http://evil.example"}),
    ):
        pass
    assert refused.value.code == 1008


def test_a_same_origin_page_and_a_script_are_admitted(client: TestClient) -> None:
    for headers in ({"origin": "http://testserver"}, {}):
        with client.websocket_connect("/ws", headers=headers) as websocket:
            assert isinstance(parse_text(websocket.receive_text()), Ready)


def test_origin_rules() -> None:
    page = {"origin": "http://class.example:8000", "host": "class.example:8000"}
    assert origin_allowed(page, (SAME_ORIGIN,))
    assert origin_allowed({"host": "class.example:8000"}, (SAME_ORIGIN,))  # no Origin: a script
    assert not origin_allowed({**page, "host": "other.example"}, (SAME_ORIGIN,))
    assert origin_allowed({**page, "host": "other.example"}, ("http://class.example:8000",))
    assert origin_allowed({**page, "host": "other.example"}, ("*",))


def test_slots_count_to_their_limit() -> None:
    slots = SessionSlots(2)
    assert slots.try_take()
    assert slots.try_take()
    assert not slots.try_take()
    assert slots.held == 2
    slots.give_back()
    assert slots.try_take()
