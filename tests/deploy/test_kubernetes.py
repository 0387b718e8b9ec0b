"""deploy/kubernetes: every manifest validates against Kubernetes' own schemas (strict: an
unknown or misspelt field fails), and the parts agree with one another and with the server:
probes, selectors, the autoscaler's target, the session cap HAProxy enforces, images."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.manifests import (
    BALANCER_LABELS,
    KUBERNETES,
    REGISTRY_HOST,
    ROOT,
    SERVER_LABELS,
    container,
    container_port,
    cpu_cores,
    documents,
    env,
    kubernetes_haproxy_config,
    manifest_files,
    option,
    pod_spec,
    resource,
    resources,
    selects,
    server_lines,
    session_caps,
    tunnel_timeout,
)

# The oldest release whose schemas kubernetes-validate ships (every API used here is GA in
# it: autoscaling/v2, policy/v1, networking.k8s.io/v1) and the newest it knows.
KUBERNETES_VERSIONS = ("1.25.0", kubernetes_validate.latest_version())
SESSIONS_PER_CORE = 16  # the server's default cap per core (nn_playground.options)
DEFAULT_IDLE_TIMEOUT_S = 600.0  # NN_PLAYGROUND_IDLE_TIMEOUT's default


def server() -> dict[str, Any]:
    return resource("Deployment", "nn-playground")


def server_container() -> dict[str, Any]:
    return container(server(), "server")


def balancer() -> dict[str, Any]:
    return resource("Deployment", "haproxy")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", manifest_files(), ids=lambda path: path.name)
def test_manifest_validates_against_kubernetes_schemas(path: Path, version: str) -> None:
    found = documents(path)
    assert found, f"{path.name}: expected at least one resource"
    errors = []
    for document in found:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(map(str, error.absolute_path))
            name = f"{document['kind']} {document['metadata']['name']}"
            errors.append(f"{path.name}: {name} at {where}: {error.message}")
    assert not errors, "\n".join(errors)


def test_kustomization_lists_every_manifest_in_one_namespace() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [path.name for path in manifest_files()]
    namespace = kustomization["namespace"]
    assert resource("Namespace", namespace)
    for item in resources():
        if item["kind"] != "Namespace":
            assert item["metadata"].get("namespace") == namespace, item["metadata"]["name"]


def test_server_probes_ask_healthz_on_the_server_port() -> None:
    spec = server_container()
    port = int(env(spec)["NN_PLAYGROUND_PORT"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = spec[probe]["httpGet"]
        assert check["path"] == "/healthz", probe
        assert container_port(spec, check["port"]) == port, probe


def test_startup_probe_allows_a_cold_compile() -> None:
    probe = server_container()["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 150  # ~2 minutes today


def test_deployment_selectors_match_their_pods() -> None:
    for deployment, labels in ((server(), SERVER_LABELS), (balancer(), BALANCER_LABELS)):
        selector = deployment["spec"]["selector"]["matchLabels"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selects(selector, pod_labels), deployment["metadata"]["name"]
        assert selector == labels, deployment["metadata"]["name"]
    # Neither Deployment's selector takes the other's pods.
    assert not selects(SERVER_LABELS, BALANCER_LABELS)
    assert not selects(BALANCER_LABELS, SERVER_LABELS)


@pytest.mark.parametrize(
    ("service", "deployment", "container_name"),
    [
        ("nn-playground-pods", "nn-playground", "server"),
        ("nn-playground", "nn-playground", "server"),
        ("haproxy", "haproxy", "haproxy"),
    ],
)
def test_services_select_their_pods_and_ports(
    service: str, deployment: str, container_name: str
) -> None:
    spec = resource("Service", service)["spec"]
    target = resource("Deployment", deployment)
    pods = target["spec"]["template"]["metadata"]["labels"]
    assert selects(spec["selector"], pods)
    others = [
        d for d in resources() if d["kind"] == "Deployment" and d["metadata"]["name"] != deployment
    ]
    for other in others:
        assert not selects(spec["selector"], other["spec"]["template"]["metadata"]["labels"])
    for port in spec["ports"]:
        container_port(container(target, container_name), port["targetPort"])


def test_haproxy_discovers_the_headless_service() -> None:
    service = resource("Service", "nn-playground-pods")
    headless, namespace = service["spec"], service["metadata"]["namespace"]
    assert headless["clusterIP"] == "None"
    # Only ready pods may be listed: a warming or terminating pod gets no students.
    assert not headless.get("publishNotReadyAddresses", False)
    for words in server_lines(kubernetes_haproxy_config(), "sessions"):
        assert words[0] == "server-template"
        host, port = words[3].rsplit(":", 1)
        assert host.split(".")[:3] == ["nn-playground-pods", namespace, "svc"]
        assert int(port) == headless["ports"][0]["port"]
        assert option(words, "resolvers") == "dns"


def test_session_cap_is_haproxys_maxconn_and_16_per_core() -> None:
    spec = server_container()
    cap = int(env(spec)["NN_PLAYGROUND_MAX_SESSIONS"])
    assert session_caps(kubernetes_haproxy_config()) == {cap}
    cores = cpu_cores(spec["resources"]["limits"]["cpu"])
    assert cap == SESSIONS_PER_CORE * cores


def test_server_pods_are_guaranteed_whole_cores() -> None:
    resources_ = server_container()["resources"]
    assert resources_["requests"] == resources_["limits"]
    assert cpu_cores(resources_["limits"]["cpu"]).is_integer()


def test_haproxy_has_a_slot_for_every_pod_the_autoscaler_may_start() -> None:
    slots = {int(words[2]) for words in server_lines(kubernetes_haproxy_config(), "sessions")}
    autoscaler = resource("HorizontalPodAutoscaler", "nn-playground")["spec"]
    assert min(slots) >= autoscaler["maxReplicas"]


def test_autoscaler_scales_the_server_deployment() -> None:
    spec = resource("HorizontalPodAutoscaler", "nn-playground")["spec"]
    target = spec["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
    assert target["name"] == server()["metadata"]["name"]
    assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
    assert server()["spec"]["replicas"] >= spec["minReplicas"]
    # CPU utilisation is measured against the request, which must then exist.
    assert "cpu" in server_container()["resources"]["requests"]


def test_disruption_budget_covers_the_server_pods_only() -> None:
    spec = resource("PodDisruptionBudget", "nn-playground")["spec"]
    assert selects(spec["selector"]["matchLabels"], SERVER_LABELS)
    assert not selects(spec["selector"]["matchLabels"], BALANCER_LABELS)
    # A drain can proceed (something may go) and never empties the class.
    minimum = resource("HorizontalPodAutoscaler", "nn-playground")["spec"]["minReplicas"]
    assert 1 <= spec["maxUnavailable"] < minimum


def test_images_name_no_registry_and_the_server_image_is_the_users_own() -> None:
    images = []
    for deployment in (server(), balancer()):
        spec = pod_spec(deployment)
        for item in spec.get("initContainers", []) + spec["containers"]:
            images.append(item["image"])
            assert item["imagePullPolicy"] == "IfNotPresent"
    for image in images:
        assert not REGISTRY_HOST.match(image), f"{image}: names a registry host"
    assert {image.split(":")[0] for image in images} == {"nn-playground", "haproxy"}


def test_pods_run_as_the_images_non_root_users() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER (\d+)$", dockerfile, re.MULTILINE)
    assert users, "expected a numeric USER in the Dockerfile"
    expected = {"nn-playground": int(users[-1]), "haproxy": 99}  # 99: the haproxy image's
    for name, uid in expected.items():
        spec = pod_spec(resource("Deployment", name))
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == uid
        for item in spec.get("initContainers", []) + spec["containers"]:
            assert item["securityContext"]["allowPrivilegeEscalation"] is False


def test_compile_cache_is_a_volume_where_the_server_looks() -> None:
    spec = pod_spec(server())
    volumes = {volume["name"] for volume in spec["volumes"]}
    for item in spec["initContainers"] + spec["containers"]:
        cache = env(item)["NN_PLAYGROUND_CACHE_DIR"]
        mounts = {mount["mountPath"]: mount["name"] for mount in item["volumeMounts"]}
        assert mounts.get(cache) == "compile-cache" in volumes, item["name"]
    # The warm-up compiles what the server will load.
    assert spec["initContainers"][0]["command"] == ["nn-playground", "--warm-up"]
    assert spec["initContainers"][0]["image"] == server_container()["image"]


def test_server_is_out_of_haproxy_before_it_stops() -> None:
    spec = pod_spec(server())
    pause = spec["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
    assert pause[0] == "sleep"
    # The pause outlasts HAProxy's DNS view and leaves the server time to close its sockets.
    assert 5 <= int(pause[1]) <= spec["terminationGracePeriodSeconds"] - 10


def test_websockets_stay_open_for_a_class_period() -> None:
    config = kubernetes_haproxy_config()
    tunnel = tunnel_timeout(config)
    assert tunnel >= 3600
    annotations = resource("Ingress", "nn-playground")["metadata"]["annotations"]
    for name in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{name}"]) >= tunnel
    # The server closes an idle session itself, before HAProxy would cut it.
    idle = float(env(server_container()).get("NN_PLAYGROUND_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT_S))
    assert idle < tunnel


def test_ingress_sends_everything_to_haproxy() -> None:
    rules = resource("Ingress", "nn-playground")["spec"]["rules"]
    service = resource("Service", "haproxy")["spec"]
    names = {port["name"] for port in service["ports"]}
    for rule in rules:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "haproxy"
            assert backend["port"]["name"] in names
