"""The console script as a user runs it: a real uvicorn process on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest

from nn_playground import __version__
from nn_playground.cli import browser_url, parse_options
from nn_playground.edge.web_assets import find_web_dir
from nn_playground.engine.runtime.compilation import default_cache_dir
from nn_playground.options import ServerOptions, options_from_env
from tests.live_server import LiveServer, console_script, free_port, run_server


def test_printed_url_serves_page_and_health(live_server: LiveServer) -> None:
    page = httpx.get(live_server.url, timeout=10)
    assert page.status_code == 200
    assert "<title>nn-playground</title>" in page.text
    health = httpx.get(live_server.url + "healthz", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_port_from_environment_is_used() -> None:
    port = free_port()
    with run_server(env={"NN_PLAYGROUND_PORT": str(port)}) as server:
        assert server.url == f"http://127.0.0.1:{port}/"
        assert httpx.get(server.url + "healthz", timeout=10).status_code == 200


def test_flag_overrides_environment() -> None:
    options = parse_options(["--port", "9123", "--host", "0.0.0.0", "--max-sessions", "3"])
    assert options == ServerOptions(host="0.0.0.0", port=9123, max_sessions=3)
    assert browser_url(options) == "http://localhost:9123/"


def test_every_option_reads_its_environment_variable() -> None:
    options = parse_options(
        [],
        {
            "NN_PLAYGROUND_MAX_SESSIONS": "5",
            "NN_PLAYGROUND_IDLE_TIMEOUT": "30",
            "NN_PLAYGROUND_SEND_TIMEOUT": "4.5",
            "NN_PLAYGROUND_ALLOWED_ORIGINS": "https://a.example, http://b.example:8080",
            "NN_PLAYGROUND_MAX_POINTS": "200",
        },
    )
    assert options.max_sessions == 5
    assert options.idle_timeout == 30.0
    assert options.send_timeout == 4.5
    assert options.allowed_origins == ("https://a.example", "http://b.example:8080")
    assert options.max_points == 200


def test_bad_port_in_environment_names_the_variable() -> None:
    with pytest.raises(ValueError, match=r"NN_PLAYGROUND_PORT must be an integer.*'eighty'"):
        options_from_env({"NN_PLAYGROUND_PORT": "eighty"})


def test_python_dash_m_reports_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nn_playground", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == f"nn-playground {__version__}"


def test_static_page_is_found() -> None:
    assert (find_web_dir() / "index.html").is_file()


def test_warm_up_fills_the_cache_and_exits() -> None:
    """The entry point a server (or an image build) runs before accepting connections."""
    result = subprocess.run(
        [console_script(), "--warm-up"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "warm: every training function is compiled" in result.stderr
    # Backends JAX probes and does not find are not reported as if they were errors.
    assert "Unable to initialize backend" not in result.stdout + result.stderr
    cache = Path(os.environ.get("NN_PLAYGROUND_CACHE_DIR") or default_cache_dir())
    assert any(cache.iterdir())  # compiled programs are kept for the next start
