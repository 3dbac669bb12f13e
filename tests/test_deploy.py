"""Deployment files: they parse, carry the keys their engines read, and name paths that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from deepgluteal import serving
from deepgluteal.serve import voila_config
from harness import DASHBOARD_NOTEBOOK

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
VALUES = DEPLOY / "jupyterhub" / "values.yaml"
GUIDE = REPO / "docs" / "DEPLOY.md"
DASHBOARD_URL = "/voila/render/" + DASHBOARD_NOTEBOOK
# Top-level keys of the Zero to JupyterHub chart's values (its schema.yaml, chart 3.x and 4.x).
Z2JH_KEYS = {"enabled", "fullnameOverride", "nameOverride", "custom", "imagePullSecret",
             "imagePullSecrets", "hub", "rbac", "proxy", "singleuser", "scheduling",
             "prePuller", "ingress", "httpRoute", "cull", "debug", "global", "apps"}
# Sizes a student's pod must hold: a viewer's kernel and a Jupyter server, as measured by
# benchmarks/bench_load.py (its results file when present, else the figures docs/DEPLOY.md gives).
LOAD_RESULTS = REPO / "benchmarks" / "results" / "load.json"


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def kubernetes_bytes(quantity) -> float:
    """A KubeSpawner memory quantity ("512M", "1G", 2**30) in bytes."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)i?", str(quantity))
    assert match, f"not a memory quantity: {quantity!r}"
    number, unit = match.groups()
    return float(number) * 1024 ** "_KMGT".index(unit or "_")


def measured_mb() -> tuple[float, float]:
    """(kernel, server) resident memory in MB."""
    if LOAD_RESULTS.exists():
        load = json.loads(LOAD_RESULTS.read_text())
        return load["kernel_median_mb"], load["server_mb"]
    text = GUIDE.read_text()
    kernel = re.search(r"kernel holds about (\d+) MB", text)
    server = re.search(r"server holds about (\d+) MB", text)
    assert kernel and server, "docs/DEPLOY.md must state the measured kernel and server memory"
    return float(kernel.group(1)), float(server.group(1))


# ----------------------------------------------------------------------------- JupyterHub
def test_values_use_only_keys_the_chart_knows(values):
    assert set(values) <= Z2JH_KEYS, set(values) - Z2JH_KEYS


def test_the_singleuser_image_is_named_and_tagged(values):
    image = values["singleuser"]["image"]
    assert isinstance(image["name"], str) and "/" in image["name"]
    assert isinstance(image["tag"], str) and image["tag"], "quote the tag: 1.10 would be 1.1"


def test_students_land_on_the_dashboard(values):
    # A pod runs the student's dashboard server (standalone Voila signed in through the hub,
    # src/deepgluteal/hub_singleuser.py), which serves the dashboard at the student's prefix.
    from deepgluteal import hub_singleuser

    assert values["singleuser"]["defaultUrl"] == "/"
    from deepgluteal.serve import CONFIG_DIR, dashboard_notebook

    assert values["singleuser"]["cmd"] == ["python", "-m", hub_singleuser.__name__]
    command = hub_singleuser.server_command("/user/a/", "0.0.0.0", 8888)
    assert str(dashboard_notebook()) in command and dashboard_notebook().is_file()
    assert f"--Voila.config_file_paths={CONFIG_DIR}" in command  # the hardened settings
    assert "--Voila.base_url=/user/a/" in command


def test_a_pod_holds_a_kernel_and_its_server(values):
    memory = values["singleuser"]["memory"]
    guarantee, limit = kubernetes_bytes(memory["guarantee"]), kubernetes_bytes(memory["limit"])
    kernel_mb, server_mb = measured_mb()
    assert guarantee <= limit
    assert guarantee >= (kernel_mb + server_mb) * 2**20, "the guarantee would not hold a viewer"
    assert limit >= (2 * kernel_mb + server_mb) * 2**20, "no room for a reload's second kernel"
    cpu = values["singleuser"]["cpu"]
    assert 0 < cpu["guarantee"] <= cpu["limit"]
    assert cpu["limit"] >= 1, "a slider drag keeps one core busy"


def test_idle_pods_are_culled(values):
    cull = values["cull"]
    assert cull["enabled"] is True
    assert 0 < cull["every"] <= cull["timeout"]
    assert cull["maxAge"] == 0 or cull["maxAge"] >= cull["timeout"]


def test_the_pod_is_read_only_and_offline(values):
    singleuser = values["singleuser"]
    assert singleuser["storage"]["type"] == "none"
    rules = singleuser["networkPolicy"]["egressAllowRules"]
    assert singleuser["networkPolicy"]["enabled"] is True and rules["nonPrivateIPs"] is False
    # No Jupyter server runs in the pod, so there is no terminal or contents API to switch off.
    assert "jupyterhub-singleuser" not in json.dumps(singleuser)
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"]


# ----------------------------------------------------------------------------- Binder
def test_binder_builds_from_the_projects_environment():
    link = DEPLOY / "binder" / "environment.yml"
    assert link.resolve() == (REPO / "environment.yml").resolve()
    environment = yaml.safe_load(link.read_text())
    flat = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pip = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert any(entry.startswith("voila") for entry in flat)
    assert "-e ." in pip, "the image must install the package and its dgs template"


def test_the_binder_url_opens_the_dashboard():
    readme = (DEPLOY / "binder" / "README.md").read_text()
    assert "?urlpath=" + DASHBOARD_URL.lstrip("/") in readme


# ----------------------------------------------------------------------------- one server
def test_voila_json_keeps_the_read_only_settings():
    config = voila_config()
    voila = config["VoilaConfiguration"]
    assert voila["template"] == "dgs" and voila["strip_sources"] is True
    assert voila["show_tracebacks"] is False and voila["preheat_kernel"] is True
    assert voila["allow_template_override"] == voila["allow_theme_override"] == "NO"
    assert config["MappingKernelManager"]["allow_tracebacks"] is False
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert config["CappedKernelManager"]["max_kernels"] > voila["default_pool_size"]
    for name in (voila["multi_kernel_manager_class"],
                 config["Voila"]["kernel_websocket_connection_class"]):
        module, _, attribute = name.rpartition(".")
        assert module == "deepgluteal.serving" and isinstance(getattr(serving, attribute), type)


def test_the_nginx_site_proxies_the_base_url_with_websockets():
    site = (DEPLOY / "nginx" / "dgs.conf").read_text()
    assert "location /dgs/" in site
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", site)
    assert re.search(r"proxy_set_header\s+Host\s+\$http_host;", site)


def test_the_guide_names_only_paths_that_exist():
    text = GUIDE.read_text()
    mentioned = set(re.findall(r"`((?:deploy|docs|benchmarks|tests|notebooks|src|share)/"
                               r"[^`\s<>*]+)`", text))
    assert mentioned, "the guide names no files"
    # benchmarks/results/ holds what the benchmarks write when they run; it is not kept in git.
    mentioned = {path for path in mentioned if not path.startswith("benchmarks/results/")}
    missing = sorted(path for path in mentioned if not (REPO / path.rstrip("/")).exists())
    assert missing == []
