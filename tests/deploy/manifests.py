"""What the deploy tests read: the Kubernetes manifests, compose.yaml, the HAProxy
configurations and deploy/haproxy/generate.py (loaded from its path: deploy/ is no package)."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
COMPOSE_FILE = ROOT / "compose.yaml"
COMPOSE_CONFIG = ROOT / "deploy" / "haproxy" / "compose.cfg"
GENERATOR = ROOT / "deploy" / "haproxy" / "generate.py"

SERVER_LABELS = {"app.kubernetes.io/name": "nn-playground", "app.kubernetes.io/component": "server"}
BALANCER_LABELS = {
    "app.kubernetes.io/name": "nn-playground",
    "app.kubernetes.io/component": "balancer",
}
# A registry host is a first path component with a dot or a port, or localhost.
REGISTRY_HOST = re.compile(r"^(localhost|[^/]*[.:][^/]*)/")


@cache
def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_haproxy_generate", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def manifest_files() -> list[Path]:
    return sorted(p for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")


def documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def resources() -> list[dict[str, Any]]:
    return [document for path in manifest_files() for document in documents(path)]


def resource(kind: str, name: str) -> dict[str, Any]:
    found = [r for r in resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name!r}, found {len(found)}"
    return found[0]


def pod_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return spec


def container(deployment: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in pod_spec(deployment)["containers"] if c["name"] == name]
    assert len(found) == 1, f"expected one container {name!r} in {deployment['metadata']['name']}"
    return found[0]


def env(spec: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in spec.get("env", [])}


def container_port(spec: dict[str, Any], port: int | str) -> int:
    """The containerPort a probe's or Service's port (a number or a port name) means."""
    for declared in spec.get("ports", []):
        if port in (declared["containerPort"], declared.get("name")):
            return int(declared["containerPort"])
    raise AssertionError(f"port {port!r} is not declared by container {spec['name']!r}")


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def cpu_cores(quantity: str | int | float) -> float:
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def seconds(duration: str | int) -> float:
    """A compose or HAProxy duration ("30s", "3m", "1h", plain seconds) in seconds."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", str(duration))
    assert match, f"expected a duration like 30s, got {duration!r}"
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
    return float(match.group(1)) * scale


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def kubernetes_haproxy_config() -> str:
    text: str = resource("ConfigMap", "haproxy-config")["data"]["haproxy.cfg"]
    return text


def section(config: str, header: str) -> list[str]:
    """The lines of one HAProxy section ("backend sessions"), header excluded."""
    lines = config.splitlines()
    assert header in lines, f"expected a section {header!r} in the HAProxy configuration"
    body = []
    for line in lines[lines.index(header) + 1 :]:
        if line and not line[0].isspace():
            break
        body.append(line.split("#", 1)[0].strip())
    return [line for line in body if line]


def server_lines(config: str, backend: str) -> list[list[str]]:
    lines = section(config, f"backend {backend}")
    servers = [line.split() for line in lines if line.split()[0] in ("server", "server-template")]
    assert servers, f"expected servers in backend {backend}"
    return servers


def option(words: list[str], name: str) -> str:
    assert name in words, f"expected {name} on HAProxy's line {' '.join(words)!r}"
    return words[words.index(name) + 1]


def session_caps(config: str) -> set[int]:
    """maxconn of every server of the sessions backend (the websockets)."""
    return {int(option(words, "maxconn")) for words in server_lines(config, "sessions")}


def tunnel_timeout(config: str) -> float:
    for line in section(config, "defaults"):
        if line.startswith("timeout tunnel "):
            return seconds(line.split()[2])
    raise AssertionError("expected `timeout tunnel` in HAProxy's defaults")
