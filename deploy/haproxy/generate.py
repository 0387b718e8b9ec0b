"""Writes HAProxy's configuration for Docker compose (deploy/haproxy/compose.cfg) and for
Kubernetes (the ConfigMap deploy/kubernetes/haproxy-config.yaml) with the project's generator,
`python -m nn_playground.serving.haproxy_config`, from what the deployments themselves say: each
process's session cap, how many processes there may be, and the DNS name that finds them.

    .venv/bin/python deploy/haproxy/generate.py          # rewrite both files
    .venv/bin/python deploy/haproxy/generate.py --check  # exit 1 where a file is stale

tests/deploy runs the check, so a changed cap, replica ceiling or namespace cannot leave a
stale configuration behind. Needs the project installed (for the generator) and PyYAML."""

from __future__ import annotations

import argparse
import difflib
import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
KUBERNETES = ROOT / "deploy" / "kubernetes"
COMPOSE_CONFIG = ROOT / "deploy" / "haproxy" / "compose.cfg"
KUBERNETES_CONFIG = KUBERNETES / "haproxy-config.yaml"

# The compose service HAProxy resolves, and the most replicas of it on one machine
# (`docker compose up --scale app=N`, N at most this).
COMPOSE_SERVICE = "app"
COMPOSE_SLOTS = 8
SERVER_PORT = 8000
CAP_VARIABLE = "NN_PLAYGROUND_MAX_SESSIONS"
HEADLESS_SERVICE = "nn-playground-pods"
CLUSTER_DOMAIN = "cluster.local"  # the cluster's DNS domain; the default almost everywhere
CONFIG_MAP = "haproxy-config"


@dataclass(frozen=True)
class Target:
    """One generated file: where it goes, the generator's arguments, and how the generator's
    text becomes the file's."""

    path: Path
    arguments: tuple[str, ...]
    wrap: Callable[[str], str]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_documents(path: Path) -> list[Any]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def kubernetes_resource(kind: str, name: str) -> dict[str, Any]:
    """The resource of this kind and name among deploy/kubernetes/*.yaml."""
    for path in sorted(KUBERNETES.glob("*.yaml")):
        for document in load_documents(path):
            if document.get("kind") == kind and document["metadata"]["name"] == name:
                return dict(document)
    raise LookupError(f"expected a {kind} named {name!r} in {KUBERNETES}, found none")


def container_env(deployment: dict[str, Any], container: str) -> dict[str, str]:
    for spec in deployment["spec"]["template"]["spec"]["containers"]:
        if spec["name"] == container:
            return {item["name"]: item["value"] for item in spec.get("env", [])}
    raise LookupError(f"expected a container {container!r} in {deployment['metadata']['name']}")


def threads(cpu_limit: str | int | float) -> int:
    """HAProxy's threads for its container's CPU limit ("1", "500m", 2): in a container it
    would otherwise start one per host core, whatever the limit."""
    text = str(cpu_limit)
    cores = int(text[:-1]) / 1000 if text.endswith("m") else float(text)
    return max(1, math.ceil(cores))


def compose_target() -> Target:
    services = load_yaml(COMPOSE_FILE)["services"]
    environment = services[COMPOSE_SERVICE]["environment"]
    balancer_cpus = services["haproxy"]["deploy"]["resources"]["limits"]["cpus"]
    arguments = (
        "--discover",
        f"{COMPOSE_SERVICE}:{SERVER_PORT}",
        "--slots",
        str(COMPOSE_SLOTS),
        "--max-sessions",
        str(environment[CAP_VARIABLE]),
        "--threads",
        str(threads(balancer_cpus)),
    )
    return Target(COMPOSE_CONFIG, arguments, lambda text: text)


def kubernetes_target() -> Target:
    namespace = load_yaml(KUBERNETES / "kustomization.yaml")["namespace"]
    service = kubernetes_resource("Service", HEADLESS_SERVICE)
    port = service["spec"]["ports"][0]["port"]
    cap = container_env(kubernetes_resource("Deployment", "nn-playground"), "server")
    slots = kubernetes_resource("HorizontalPodAutoscaler", "nn-playground")["spec"]["maxReplicas"]
    balancer = kubernetes_resource("Deployment", "haproxy")["spec"]["template"]["spec"]
    balancer_cpu = balancer["containers"][0]["resources"]["limits"]["cpu"]
    # HAProxy's resolvers take only the nameservers of resolv.conf, not its search domains:
    # the name must be complete.
    name = f"{HEADLESS_SERVICE}.{namespace}.svc.{CLUSTER_DOMAIN}"
    arguments = (
        "--discover",
        f"{name}:{port}",
        "--slots",
        str(slots),
        "--max-sessions",
        cap[CAP_VARIABLE],
        "--threads",
        str(threads(balancer_cpu)),
    )
    return Target(KUBERNETES_CONFIG, arguments, lambda text: config_map(text, arguments, namespace))


def config_map(config: str, arguments: Sequence[str], namespace: str) -> str:
    """The configuration as a ConfigMap's haproxy.cfg, a YAML literal block."""
    body = "".join(f"    {line}".rstrip() + "\n" for line in config.splitlines())
    text = (
        "# Generated by deploy/haproxy/generate.py:\n"
        "#   python -m nn_playground.serving.haproxy_config\n"
        f"#   {' '.join(arguments)}\n"
        "# Run it again rather than editing this file; tests/deploy checks that they agree.\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        f"  name: {CONFIG_MAP}\n"
        f"  namespace: {namespace}\n"
        "  labels:\n"
        "    app.kubernetes.io/name: nn-playground\n"
        "    app.kubernetes.io/component: balancer\n"
        "data:\n"
        "  haproxy.cfg: |\n"
        f"{body}"
    )
    if yaml.safe_load(text)["data"]["haproxy.cfg"] != config:
        raise ValueError("the configuration does not survive as a YAML literal block")
    return text


def targets() -> list[Target]:
    return [compose_target(), kubernetes_target()]


def generate(arguments: Sequence[str]) -> str:
    """What `python -m nn_playground.serving.haproxy_config ARGUMENTS` prints."""
    done = subprocess.run(
        [sys.executable, "-m", "nn_playground.serving.haproxy_config", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"nn_playground.serving.haproxy_config {' '.join(arguments)} exited {done.returncode}: "
            f"{done.stderr.strip()}"
        )
    return done.stdout


def expected_text(target: Target) -> str:
    return target.wrap(generate(target.arguments))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    args = parser.parse_args(argv)
    stale = 0
    for target in targets():
        expected = expected_text(target)
        current = target.path.read_text() if target.path.exists() else ""
        shown = target.path.relative_to(ROOT)
        if current == expected:
            continue
        if args.check:
            stale += 1
            sys.stderr.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    f"{shown} (committed)",
                    f"{shown} (generated)",
                )
            )
        else:
            target.path.write_text(expected)
            sys.stdout.write(f"wrote {shown}\n")
    if stale:
        sys.stderr.write(f"{stale} stale file(s): run python deploy/haproxy/generate.py\n")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
