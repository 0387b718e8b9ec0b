"""Who may open a session: the websocket origin allowlist (checked at the handshake) and the
cap on concurrent sessions. Plain Python; the app wires these into /ws."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from nn_playground.options import SAME_ORIGIN


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
