"""The HAProxy configurations under deploy/ are exactly what the project's generator prints
for the deployments as they stand (deploy/haproxy/generate.py), and HAProxy accepts them."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.manifests import ROOT, kubernetes_haproxy_config, load_generator

INSTALL_HAPROXY = "expected haproxy to check the configurations: `apt-get install -y haproxy`"
GENERATOR = load_generator()


@pytest.mark.parametrize(
    "target", GENERATOR.targets(), ids=lambda target: target.path.relative_to(ROOT).as_posix()
)
def test_committed_file_is_the_generators_output(target: Any) -> None:
    expected = GENERATOR.expected_text(target)
    committed = target.path.read_text()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True), expected.splitlines(keepends=True)
        )
    )
    assert committed == expected, f"run python deploy/haproxy/generate.py:\n{diff}"


@pytest.mark.parametrize("where", ["compose", "kubernetes"])
def test_haproxy_accepts_the_configuration(where: str, tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if haproxy is None:
        pytest.fail(INSTALL_HAPROXY)
    if where == "compose":
        config = GENERATOR.COMPOSE_CONFIG
    else:
        config = tmp_path / "haproxy.cfg"
        config.write_text(kubernetes_haproxy_config())
    # -dW: a warning fails too. The servers' names resolve only inside compose or the cluster;
    # `init-addr none` lets HAProxy start (and check) without them.
    done = subprocess.run(
        [haproxy, "-c", "-dW", "-f", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
