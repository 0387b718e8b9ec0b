"""A real `nn-playground` process on 127.0.0.1 for tests: started, awaited, stopped."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# The server's own line: with --workers each process's line comes prefixed ("[worker 1] ...")
# and names that process, not the address to open.
READY_LINE = re.compile(r"^nn-playground \S+ is ready: open (?P<url>http://\S+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def console_script() -> str:
    """The installed `nn-playground` entry point next to this interpreter."""
    script = Path(sys.executable).with_name("nn-playground")
    if not script.exists():
        raise FileNotFoundError(f"{script} is missing: install the project (pip install '.[test]')")
    return str(script)


@dataclass
class LiveServer:
    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    @property
    def ws_url(self) -> str:
        """The session endpoint, ws://host:port/ws."""
        return "ws" + self.url.removeprefix("http").rstrip("/") + "/ws"


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Ask a server to stop (SIGTERM: it finishes its shutdown), then kill it after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def run_server(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[LiveServer]:
    """Start the console script, wait for its ready line, and stop it afterwards."""
    command = [console_script(), *args]
    if "--port" not in args and "NN_PLAYGROUND_PORT" not in (env or {}):
        command += ["--port", str(free_port())]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    output: list[str] = []
    ready = threading.Event()
    url: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = READY_LINE.match(line)
            if match and not url:
                url.append(match.group("url"))
                ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()

    def stop() -> None:
        stop_process(process)
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise RuntimeError("server did not become ready:\n" + "".join(output))
    try:
        yield LiveServer(process=process, url=url[0], output=output)
    finally:
        stop()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: the browser tests' sync Playwright keeps an event
    loop running on the main thread for the whole test session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
