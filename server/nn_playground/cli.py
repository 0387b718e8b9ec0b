"""The `nn-playground` command: parse options, start one uvicorn process, say where to look."""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Sequence

import uvicorn

from nn_playground import __version__
from nn_playground.app import create_app
from nn_playground.settings import Settings, settings_from_env

log = logging.getLogger("nn_playground")


def parse_settings(argv: Sequence[str] | None) -> Settings:
    defaults = settings_from_env()
    parser = argparse.ArgumentParser(
        prog="nn-playground",
        description="Serve the neural-network playground (page, API and websocket).",
    )
    parser.add_argument(
        "--host",
        default=defaults.host,
        help="interface to bind; 0.0.0.0 shares it on the network (env NN_PLAYGROUND_HOST, "
        "default %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=defaults.port,
        help="TCP port (env NN_PLAYGROUND_PORT, default %(default)s)",
    )
    parser.add_argument(
        "--warm-up",
        action="store_true",
        help="compile (or load from the persistent cache) every training function, then exit",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    return Settings(host=args.host, port=args.port, warm_up_only=args.warm_up)


def browser_url(settings: Settings) -> str:
    """The address to open: a wildcard bind is reachable on this machine as localhost."""
    host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/"


async def serve(settings: Settings) -> None:
    config = uvicorn.Config(
        create_app(),
        host=settings.host,
        port=settings.port,
        # Frames are already-compact uint8; deflate measured 40x slower for them.
        ws_per_message_deflate=False,
        log_level="info",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if server.started:
        log.info("nn-playground %s is ready: open %s", __version__, browser_url(settings))
    await task


def warm_up() -> None:
    """Fill the persistent compilation cache, so that later starts skip the compiler."""
    from nn_playground.engine import compilation, runner  # JAX loads only when needed

    started = time.perf_counter()
    cache = compilation.enable_persistent_cache()
    runner.warm_up()
    log.info(
        "warm: every training function is compiled (%.1f s, cache %s)",
        time.perf_counter() - started,
        cache,
    )


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = parse_settings(argv)
    if settings.warm_up_only:
        warm_up()
        return 0
    asyncio.run(serve(settings))
    return 0
