"""Who may open a session: the websocket origin allowlist (checked at the handshake), the cap
on concurrent sessions, and `Admission`, the ASGI middleware that applies both to every
websocket connection before the app routes it. Imports nothing from sessions or the engine."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from nn_playground.edge.metrics import ServerMetrics
from nn_playground.options import SAME_ORIGIN
from nn_playground.protocol import Busy

CLOSE_POLICY = 1008  # before accepting: the handshake is answered 403
CLOSE_TRY_LATER = 1013
FULL = "server full"  # the busy close's reason


def origin_allowed(headers: Mapping[str, str], allowed: Sequence[str]) -> bool:
    """A browser always sends Origin; a script or notebook client usually does not and is
    let in (the check protects browsers from foreign pages, not the server from clients).
    `allowed` lists origins like "https://class.example.org", "*" for any, or SAME_ORIGIN:
    the origin's host:port equals the Host the request was sent to."""
    origin = headers.get("origin")
    if origin is None or "*" in allowed:
        return True
    if origin in allowed:
        return True
    if SAME_ORIGIN in allowed:
        return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
    return False


class SessionSlots:
    """A counting gate: at most `limit` sessions hold a slot at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held = 0
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        return self._held

    def try_take(self) -> bool:
        with self._lock:
            if self._held >= self.limit:
                return False
            self._held += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._held -= 1


class Admission:
    """Decides every websocket connection (the app has one endpoint, /ws) before routing:
    a foreign origin is refused at the handshake (403); over the cap, the connection is
    accepted only to be told busy and closed with 1013; otherwise it holds a slot until
    the app is done with it.

    Why here, in raw ASGI messages, and not in the /ws route: a full server meets refusals
    in bursts (a class opening the page at once) while every core trains, and each refusal
    costs the event loop; routing and FastAPI's websocket machinery were a sixth of that
    cost. The busy message is made once."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_origins: Sequence[str],
        slots: SessionSlots,
        metrics: ServerMetrics,
    ) -> None:
        self.app = app
        self.allowed_origins = allowed_origins
        self.slots = slots
        self.metrics = metrics
        self.busy = Busy(
            reason=f"the server is training {slots.limit} sessions, its limit; try later",
            max_sessions=slots.limit,
        ).model_dump_json()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        if not origin_allowed(Headers(scope=scope), self.allowed_origins):
            self.metrics.refused_origin.inc()
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": ""})
            return
        if not self.slots.try_take():
            self.metrics.refused_full.inc()
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": self.busy})
            await send({"type": "websocket.close", "code": CLOSE_TRY_LATER, "reason": FULL})
            return
        self.metrics.sessions_started.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.give_back()
