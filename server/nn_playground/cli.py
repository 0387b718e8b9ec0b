"""The `nn-playground` command: parse options, start one uvicorn process, say where to look."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from nn_playground import __version__
from nn_playground.engine import limits
from nn_playground.options import ServerOptions, options_from_env, parse_workers, split_origins

log = logging.getLogger("nn_playground")


def _workers_flag(text: str) -> int:
    try:
        return parse_workers(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_options(
    argv: Sequence[str] | None, env: Mapping[str, str] | None = None
) -> ServerOptions:
    """Flags over environment variables (NN_PLAYGROUND_<NAME>) over defaults."""
    defaults = options_from_env(env)
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
        "--max-sessions",
        type=int,
        default=defaults.max_sessions,
        help="concurrent training sessions; one more is told 'busy' and closed with 1013 "
        "(env NN_PLAYGROUND_MAX_SESSIONS, default 16 per core: %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=defaults.idle_timeout,
        help="seconds a session may send nothing before it is closed "
        "(env NN_PLAYGROUND_IDLE_TIMEOUT, default %(default)s)",
    )
    parser.add_argument(
        "--send-timeout",
        type=float,
        default=defaults.send_timeout,
        help="seconds a client may leave frames unread before it is closed "
        "(env NN_PLAYGROUND_SEND_TIMEOUT, default %(default)s)",
    )
    parser.add_argument(
        "--allowed-origins",
        type=split_origins,
        default=defaults.allowed_origins,
        help="comma-separated origins whose pages may open a websocket: 'same-origin', "
        "'*' or URLs like https://class.example.org (env NN_PLAYGROUND_ALLOWED_ORIGINS, "
        "default same-origin)",
    )
    parser.add_argument(
        "--max-points",
        type=int,
        default=defaults.max_points,
        help=f"points per dataset, at most {limits.MAX_POINTS} "
        "(env NN_PLAYGROUND_MAX_POINTS, default %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=_workers_flag,
        default=defaults.workers,
        metavar="N|auto",
        help="serve with N processes (auto: one per core), each pinned to its cores, behind "
        "an HAProxy this command configures and starts; needs haproxy installed. "
        "--max-sessions is then the whole server's, split among them "
        "(env NN_PLAYGROUND_WORKERS, default: one process, no HAProxy)",
    )
    parser.add_argument(
        "--warm-up",
        action="store_true",
        help="compile (or load from the persistent cache) every training function, then exit",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    if not limits.MIN_POINTS <= args.max_points <= limits.MAX_POINTS:
        parser.error(f"--max-points: expected {limits.MIN_POINTS} to {limits.MAX_POINTS}")
    if args.max_sessions < 1:
        parser.error("--max-sessions: expected at least 1")
    return ServerOptions(
        host=args.host,
        port=args.port,
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
        send_timeout=args.send_timeout,
        allowed_origins=tuple(args.allowed_origins),
        max_points=args.max_points,
        warm_up_only=args.warm_up,
        workers=args.workers,
    )


def browser_url(options: ServerOptions) -> str:
    """The address to open: a wildcard bind is reachable on this machine as localhost."""
    host = "localhost" if options.host in ("0.0.0.0", "::", "") else options.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{options.port}/"


def _start_warm_up() -> threading.Thread:
    """Load (or compile) the frame programs on a thread of their own, from the first moment:
    the web stack's imports and the server's start (~1 s) overlap the first program's load,
    and a session that needs a program still loading waits only for that one."""
    from nn_playground.edge.activation_curves import activation_curves
    from nn_playground.engine.runtime import (
        compilation,
        digits_runner,
        runner,  # JAX loads only when needed
    )
    from nn_playground.sessions.thread_placement import place_threads

    compilation.enable_persistent_cache()

    def warm_up_then_place_threads() -> None:
        runner.warm_up()
        activation_curves()  # the page's first request for them answers at once
        place_threads()  # XLA's threads exist by now
        # Last, as sessions need the frame programs first; not in --warm-up, whose cold start
        # a deployment waits for: a server compiles them in the background on its first start.
        runner.prepare_explain()
        digits_runner.warm_up_digits()

    thread = threading.Thread(target=warm_up_then_place_threads, name="warm-up", daemon=True)
    thread.start()
    return thread


PROBE_PATHS = frozenset({"/healthz", "/metrics"})


def _not_a_probe(record: logging.LogRecord) -> bool:
    """uvicorn's access log without health checks and scrapes: HAProxy checks each process
    every 2 s per backend, Kubernetes and Prometheus poll too, and those lines would bury
    the requests a person made. uvicorn.access records carry (client, method, path, ...)."""
    arguments = record.args
    return not (
        isinstance(arguments, tuple)
        and len(arguments) >= 3
        and str(arguments[2]).split("?")[0] in PROBE_PATHS
    )


async def serve(options: ServerOptions) -> None:
    warming = _start_warm_up()
    # Imported after the warm-up started, for the reason given there.
    import uvicorn

    from nn_playground.edge.app import create_app
    from nn_playground.engine.runtime import runner  # waits for the warm-up thread's import of JAX
    from nn_playground.protocol import MAX_MESSAGE_BYTES

    del runner
    _collect_garbage_from_now_on()
    config = uvicorn.Config(
        create_app(options, warming=warming),
        host=options.host,
        port=options.port,
        # Frames are already-compact uint8: deflate costs far more than it saves on them.
        ws_per_message_deflate=False,
        # A larger client message closes the socket with 1009 (protocol.MAX_MESSAGE_BYTES).
        ws_max_size=MAX_MESSAGE_BYTES,
        log_level="info",
    )
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.access").addFilter(_not_a_probe)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if server.started:
        log.info("nn-playground %s is ready: open %s", __version__, browser_url(options))
    await task


def warm_up() -> None:
    """Fill the persistent compilation cache, so that later starts skip the compiler."""
    from nn_playground.edge.activation_curves import activation_curves
    from nn_playground.engine.runtime import (
        compilation,
        runner,  # JAX loads only when needed
    )

    _collect_garbage_from_now_on()
    started = time.perf_counter()
    cache = compilation.enable_persistent_cache()
    runner.warm_up()
    activation_curves()
    log.info(
        "warm: every training function is compiled (%.1f s, cache %s)",
        time.perf_counter() - started,
        cache,
    )


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (uvicorn[standard] brings it on Linux and macOS): the
    event loop sends every frame and takes every acknowledgement, and uvloop does that
    more cheaply than asyncio's own loop. (uvicorn picks it only when it makes the
    loop itself; here main's asyncio.Runner makes it.) None: asyncio's default."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _collect_garbage_only_after_imports() -> None:
    """The server's imports (JAX, the web stack) allocate objects by the hundred thousand
    and never free them; the garbage collector, scanning them again and again, would take a
    noticeable part of the start. Paused until _collect_garbage_from_now_on."""
    gc.disable()


def _collect_garbage_from_now_on() -> None:
    """Everything imported so far lives as long as the process: frozen, later collections
    skip it. Then collect as usual."""
    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    _collect_garbage_only_after_imports()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # JAX reports at INFO each backend it probes and does not find ("Unable to initialize
    # backend 'tpu'"), which reads like an error; a backend that is asked for and fails
    # still raises.
    logging.getLogger("jax._src.xla_bridge").setLevel(logging.WARNING)
    options = parse_options(argv)
    if options.warm_up_only:
        warm_up()
        return 0
    if options.workers is not None:
        from nn_playground.serving.workers import run_workers  # no JAX in the supervising process

        _collect_garbage_from_now_on()
        return run_workers(options, options.workers, browser_url(options))
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(serve(options))
    return 0
