"""compose.yaml: Docker Compose accepts it, and it agrees with HAProxy's compose.cfg and with
the server: the session cap, the cores, the shared compile cache, health checks, images."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest

from tests.deploy.manifests import (
    COMPOSE_CONFIG,
    COMPOSE_FILE,
    REGISTRY_HOST,
    ROOT,
    compose,
    load_generator,
    seconds,
    server_lines,
    session_caps,
)

SESSIONS_PER_CORE = 16  # the server's default cap per core (nn_playground.options)
INSTALL_COMPOSE = (
    "expected Docker Compose to validate compose.yaml: `apt-get install -y docker-compose` "
    "(Debian) or Docker's compose plugin (`docker compose`)"
)


def compose_command() -> list[str]:
    """Compose v2 where the docker CLI has it, else Debian's docker-compose (v1)."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.fail(INSTALL_COMPOSE)


def app() -> dict[str, Any]:
    service: dict[str, Any] = compose()["services"]["app"]
    return service


def test_compose_accepts_the_file() -> None:
    done = subprocess.run(
        [
            *compose_command(),
            "--project-directory",
            str(ROOT),
            "-f",
            str(COMPOSE_FILE),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_session_cap_is_haproxys_maxconn_and_16_per_core() -> None:
    environment = app()["environment"]
    cap = int(environment["NN_PLAYGROUND_MAX_SESSIONS"])
    assert session_caps(COMPOSE_CONFIG.read_text()) == {cap}
    cores = float(app()["deploy"]["resources"]["limits"]["cpus"])
    assert cap == SESSIONS_PER_CORE * cores


def test_haproxy_finds_the_app_replicas_by_name() -> None:
    generator = load_generator()
    for words in server_lines(COMPOSE_CONFIG.read_text(), "sessions"):
        assert words[0] == "server-template"
        assert words[3] == f"{generator.COMPOSE_SERVICE}:{generator.SERVER_PORT}"
        assert int(words[2]) >= app()["deploy"]["replicas"]
    assert generator.COMPOSE_SERVICE in compose()["services"]
    assert str(generator.SERVER_PORT) in app()["expose"]


def test_haproxy_serves_the_generated_configuration_on_8000() -> None:
    haproxy = compose()["services"]["haproxy"]
    assert haproxy["ports"] == ["8000:8000"]
    mount = "./deploy/haproxy/compose.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"
    assert haproxy["volumes"] == [mount]
    assert (ROOT / mount.split(":")[0]).resolve() == COMPOSE_CONFIG


def test_servers_listen_on_every_interface() -> None:
    assert app()["environment"]["NN_PLAYGROUND_HOST"] == "0.0.0.0"


def test_every_server_shares_one_compile_cache_filled_first() -> None:
    services = compose()["services"]
    assert "compile-cache" in compose()["volumes"]
    for name in ("warm-up", "app"):
        cache = services[name]["environment"]["NN_PLAYGROUND_CACHE_DIR"]
        assert f"compile-cache:{cache}" in services[name]["volumes"], name
    assert services["warm-up"]["command"] == ["nn-playground", "--warm-up"]
    assert services["warm-up"]["image"] == app()["image"]
    assert app()["depends_on"]["warm-up"]["condition"] == "service_completed_successfully"


def test_health_check_asks_healthz_and_waits_for_a_cold_start() -> None:
    check = app()["healthcheck"]
    assert any("/healthz" in word for word in check["test"])
    assert seconds(check["start_period"]) >= 120


def test_stopping_leaves_the_server_time_to_close_its_sockets() -> None:
    assert seconds(app()["stop_grace_period"]) >= 10


def test_images_name_no_registry() -> None:
    for name, service in compose()["services"].items():
        # ${HAPROXY_IMAGE:-haproxy:2.6}: the default is what a plain `docker compose up` uses.
        image = re.sub(r"^\$\{\w+:-(.+)\}$", r"\1", service["image"])
        assert not REGISTRY_HOST.match(image), name
        assert "$" not in image, name
