"""The generated HAProxy configuration: accepted by a real `haproxy -c`, and saying what the
class needs (least connections, a per-process cap, the overflow to `busy`, long tunnels)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nn_playground.serving.haproxy_config import Discovered, Listed, main, render_config

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def haproxy_check(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not Path(HAPROXY).exists():
        pytest.fail("haproxy is missing: apt-get install -y haproxy (scripts/test.sh does)")
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    return subprocess.run(
        [HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )


def backend(text: str, name: str) -> list[str]:
    """The lines of one backend section."""
    lines = text.splitlines()
    start = lines.index(f"backend {name}")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_listed_config_is_valid_and_caps_each_process(tmp_path: Path) -> None:
    text = render_config(
        Listed(("127.0.0.1:8001", "127.0.0.1:8002"), (16, 15)), bind="127.0.0.1:8000"
    )
    checked = haproxy_check(text, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Warnings" not in checked.stdout + checked.stderr
    sessions = backend(text, "sessions")
    assert "    balance leastconn" in sessions
    servers = [line for line in sessions if line.strip().startswith("server ")]
    assert [line.split()[2] for line in servers] == ["127.0.0.1:8001", "127.0.0.1:8002"]
    assert [line.split()[-1] for line in servers] == ["16", "15"]
    assert all(" check " in line for line in servers)
    assert "    option httpchk GET /healthz" in sessions


def test_full_class_goes_to_processes_that_answer_busy(tmp_path: Path) -> None:
    text = render_config(Listed(("127.0.0.1:8001",), (4,)))
    assert "acl class_full be_conn_free(sessions) lt 1" in text
    assert "use_backend refusals if session class_full" in text
    # The refusals backend reaches the same processes, without their session cap.
    refusals = backend(text, "refusals")
    assert any("127.0.0.1:8001" in line and "maxconn 64" in line for line in refusals)
    # Pages and API requests never count against the session cap.
    assert not any("maxconn" in line for line in backend(text, "pages"))


def test_websockets_stay_open_for_a_class_period() -> None:
    text = render_config(Listed(("127.0.0.1:8001",), (4,)), tunnel_timeout_s=5400)
    assert "    timeout tunnel 5400s" in text
    # A refused or dropped connection is retried on another process, marked down at once.
    assert "    option redispatch 1" in text
    assert "    retry-on conn-failure empty-response response-timeout" in text
    assert "on-error mark-down" in text


def test_discovered_config_is_valid_before_any_process_resolves(tmp_path: Path) -> None:
    text = render_config(Discovered("app.invalid:8000", slots=8, max_sessions=16))
    checked = haproxy_check(text, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "parse-resolv-conf" in text
    template = [line for line in backend(text, "sessions") if "server-template" in line]
    assert template == [
        "    server-template app 8 app.invalid:8000 check inter 2s fall 2 rise 1 observe layer4 "
        "error-limit 1 on-error mark-down maxconn 16 resolvers dns init-addr none"
    ]


def test_command_line_prints_the_same_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--discover", "app:8000", "--slots", "4", "--max-sessions", "16"]) == 0
    assert capsys.readouterr().out == render_config(Discovered("app:8000", 4, 16))


def test_listed_needs_one_cap_per_address() -> None:
    with pytest.raises(ValueError, match="one session cap per address"):
        Listed(("127.0.0.1:8001", "127.0.0.1:8002"), (16,))
