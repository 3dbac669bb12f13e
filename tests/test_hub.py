"""The dashboard behind JupyterHub, run for real on this machine (`make hub`'s configuration).

A hub on a free loopback port, with configurable-http-proxy from npm (`make test` installs it),
the shared class password, one Voila server per student and jupyterhub-idle-culler. Three
students log in from three browser contexts; clients without a browser check that nobody gets
a dashboard without signing in, that the security tests' execute requests still run no code
through the hub's proxy, and that an idle server is culled.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
import yaml
from browser import figure_sources, page_kernel, slider_value, wait_for_new_sources
from conftest import LOG_DIR, PageWatch
from test_security import EXEC_VARIANTS, payload, sync
from websockets.exceptions import InvalidStatus

from deepgluteal import hub as hubmod
from deepgluteal.serving import TRACEBACK
from harness.hub import HubClient, HubProcess
from harness.servers import kernel_pid
from harness.viewers import KernelSocket

pytestmark = pytest.mark.browser

STUDENTS = ("ana", "ben", "chloe")
DASHBOARD_MARKERS = ("dgs-dashboard", '"kernelId"', "dgs-control-")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not hubmod.PROXY_COMMAND.exists():
        pytest.fail(f"{hubmod.PROXY_COMMAND} is missing: run `make test` (it installs "
                    "configurable-http-proxy from npm)")
    process = HubProcess(tmp_path_factory.mktemp("hub"), log_dir=LOG_DIR, timeout_s=180)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def student(hub):
    """A student signed in without a browser, with their dashboard's kernel."""
    client = HubClient(hub.url, "dora", hub.password)
    viewer = client.open_viewer(deadline_s=240)
    return client, viewer


def sign_in(browser, hub, name: str):
    """A student in a browser context of their own submits the hub's login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.watch = PageWatch(page, hub.url)
    page.goto(hub.url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("#username_input", timeout=60_000)
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    return page, context


def wait_for_dashboard(page, name: str) -> None:
    """The hub started the student's server and sent the browser on to a drawn dashboard."""
    try:
        # Not /hub/user/<name>/, which the hub shows while it starts the server.
        page.wait_for_url(re.compile(rf"^https?://[^/]+/user/{name}/"), timeout=300_000)
        page.wait_for_selector(".dgs-dashboard", timeout=180_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[class*=\"dgs-figure-\"]')]"
            ".some(el => el.getAttribute('src'))", timeout=120_000)
    except Exception:
        page.screenshot(path=str(LOG_DIR / f"hub-{name}-failed.png"))
        raise


# ----------------------------------------------------------------------------- the hub
def test_the_hub_starts_with_the_projects_settings(hub):
    with urllib.request.urlopen(hub.url + "hub/api/", timeout=30) as response:
        assert response.status == 200
    services = {service["name"] for service in hub.api("services").values()}
    assert "idle-culler" in services


def test_without_signing_in_there_is_the_login_page_and_no_dashboard(hub, student):
    client, viewer = student
    for url in (hub.url, client.server_url, client.server_url + "?valgus=20"):
        with urllib.request.urlopen(url, timeout=60) as response:
            final, page = response.url, response.read().decode("utf-8", "replace")
        assert "/hub/login" in final, f"{url} ended at {final}"
        assert 'name="password"' in page
        assert not [marker for marker in DASHBOARD_MARKERS if marker in page]
    # The kernel websocket of a student's dashboard refuses a client without their cookie.
    anonymous = urllib.request.Request(
        f"{client.server_url}api/kernels/{viewer.kernel_id}", method="GET")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=30)
    assert refused.value.code in (302, 401, 403)
    with pytest.raises(InvalidStatus) as refused:
        KernelSocket(client.server_url, viewer.kernel_id, cookie="", timeout_s=30)
    assert refused.value.response.status_code in (302, 403), refused.value


def test_a_student_sees_nothing_but_the_dashboard(student):
    client, _ = student
    for path in ("api/contents", "api/kernels", "api/sessions", "api/terminals", "tree", "lab",
                 "voila.json", "files/notebooks/dashboard.ipynb", "voila/files/dashboard.ipynb",
                 "notebooks/dashboard.ipynb"):
        status, _, body = client.get(client.server_url + path)
        assert status in (403, 404, 405), f"/{path} answered {status}"
        assert "build_dashboard" not in body and not TRACEBACK.search(body)


def test_another_student_cannot_open_a_students_dashboard(hub, student):
    client, _ = student
    other = HubClient(hub.url, "eve", hub.password)
    status, final, page = other.get(client.server_url)
    assert not [marker for marker in DASHBOARD_MARKERS if marker in page]
    assert status in (403, 404) or "/user/eve/" in final or "/hub/" in final


@pytest.mark.parametrize("variant", list(EXEC_VARIANTS))
def test_execute_request_runs_no_code_through_the_hub(student, tmp_path, variant):
    client, viewer = student
    server = SimpleNamespace(url=client.server_url)
    protocol, send = EXEC_VARIANTS[variant]
    marker = tmp_path / "marker"
    pid = kernel_pid(viewer.kernel_id)
    assert pid is not None
    with KernelSocket(server.url, viewer.kernel_id, viewer.cookie, protocol=protocol) as socket:
        assert socket.protocol == protocol
        send(socket, payload(marker))
        time.sleep(0.3)
    sync(server, viewer)  # the kernel has handled (or never got) the messages
    time.sleep(0.5)  # the control channel runs on its own thread
    assert not marker.exists(), f"{variant}: code ran in the kernel behind the hub"
    assert kernel_pid(viewer.kernel_id) == pid, f"{variant}: the kernel died or restarted"


# ----------------------------------------------------------------------------- three students
def test_three_students_each_get_their_own_dashboard(hub, browser):
    pages = {}
    try:
        for name in STUDENTS:  # the class logs in together; the hub starts three servers
            pages[name] = sign_in(browser, hub, name)
        for name, (page, _) in pages.items():
            wait_for_dashboard(page, name)
        kernels = {name: page_kernel(page).kernel_id for name, (page, _) in pages.items()}
        assert len(set(kernels.values())) == len(STUDENTS)
        for name in STUDENTS:
            assert hub.server_ready(name), f"{name} has no server of their own"
        # Each student moves the valgus slider a different number of steps; each picture
        # changes, and nobody else's slider or picture moves.
        for steps, name in enumerate(STUDENTS, start=2):
            page = pages[name][0]
            others = {other: (slider_value(pages[other][0], "valgus"),
                              figure_sources(pages[other][0]))
                      for other in STUDENTS if other != name}
            before = figure_sources(page)
            start = slider_value(page, "valgus")
            handle = page.locator(".dgs-control-valgus .noUi-handle").first
            handle.focus()
            for _ in range(steps):
                page.keyboard.press("ArrowRight")
            wait_for_new_sources(page, before, figures=("frontal",), timeout_ms=60_000)
            assert slider_value(page, "valgus") > start
            page.wait_for_timeout(1000)  # time for a leak to show, were there one
            for other, (value, sources) in others.items():
                assert slider_value(pages[other][0], "valgus") == value, f"{name} moved {other}"
                assert figure_sources(pages[other][0]) == sources, f"{name} redrew {other}"
        values = [slider_value(pages[name][0], "valgus") for name in STUDENTS]
        assert len(set(values)) == len(STUDENTS), values
        for name, (page, _) in pages.items():
            assert page.locator("#dgs-lost").is_hidden(), f"{name}'s page lost its kernel"
            assert page.watch.foreign_requests == [], page.watch.foreign_requests
            page.screenshot(path=str(LOG_DIR / f"hub-{name}.png"))
        # A closed tab frees its kernel at once behind the hub too (the template's lifecycle.js;
        # the hub's own xsrf check applies to the shutdown request). The tab is closed as a
        # person closes it, unloading the page; closing the browser context instead kills the
        # page while its request may still be on the way.
        for page, _ in pages.values():
            page.close(run_before_unload=True)
    finally:
        for _, context in pages.values():
            context.close()
    deadline = time.monotonic() + 60
    while any(map(kernel_pid, kernels.values())) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(map(kernel_pid, kernels.values())), "a closed tab left its kernel running"


# ----------------------------------------------------------------------------- culling
def test_an_idle_server_is_culled(tmp_path):
    """A hub whose culler stops servers idle for 30 s: a student opens the dashboard and
    leaves it; their server goes, which the hub's REST API reports (the culler is the only
    thing that stops it)."""
    with HubProcess(tmp_path / "culling", idle_timeout_s=30, cull_every_s=5, log_dir=LOG_DIR,
                    timeout_s=180) as culling:
        client = HubClient(culling.url, "fay", culling.password)
        viewer = client.open_viewer(deadline_s=240)
        assert culling.server_ready("fay")
        pid = kernel_pid(viewer.kernel_id)
        assert pid is not None
        deadline = time.monotonic() + 240
        while culling.user("fay")["servers"] and time.monotonic() < deadline:
            time.sleep(1)
        assert culling.user("fay")["servers"] == {}, "the idle server was not culled"
        assert "Culling server fay" in culling.log() or "culling server" in culling.log().lower()
        deadline = time.monotonic() + 30
        while kernel_pid(viewer.kernel_id) is not None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert kernel_pid(viewer.kernel_id) is None, "the culled server's kernel runs on"


# ----------------------------------------------------------------------------- one source
def test_the_kubernetes_values_are_generated_from_hub_toml():
    assert hubmod.VALUES_FILE.read_text() == hubmod.values_yaml(), (
        "deploy/jupyterhub/values.yaml is out of step with hub.toml: run `make hub-values`")
    settings = hubmod.load_settings()
    values = yaml.safe_load(hubmod.VALUES_FILE.read_text())
    assert values["cull"]["timeout"] == settings.idle_timeout_s
    assert values["cull"]["every"] == settings.cull_every_s
    assert values["cull"]["maxAge"] == settings.max_age_s
    assert values["hub"]["concurrentSpawnLimit"] == settings.concurrent_spawn_limit
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"


def test_the_local_hub_reads_the_same_settings(tmp_path):
    from traitlets.config import Config

    config = Config()
    settings = hubmod.load_settings()
    hubmod.configure(config, settings, state_dir=tmp_path, environ={"HUB_PASSWORD": "x" * 12})
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8000/"
    culler = config.JupyterHub.services[0]["command"]
    assert f"--timeout={settings.idle_timeout_s}" in culler
    assert f"--cull-every={settings.cull_every_s}" in culler
    assert config.JupyterHub.concurrent_spawn_limit == settings.concurrent_spawn_limit
    assert config.Spawner.cmd == hubmod.singleuser_command()
    overridden = hubmod.load_settings(environ={"DGS_HUB_PORT": "8123"})
    assert overridden.port == 8123


def test_a_bad_setting_names_itself(tmp_path):
    bad = tmp_path / "hub.toml"
    bad.write_text(hubmod.SETTINGS_FILE.read_text().replace("port = 8000", "port = 99999"))
    with pytest.raises(ValueError, match="port"):
        hubmod.load_settings(bad)
    with pytest.raises(ValueError, match="HUB_PASSWORD"):
        hubmod.class_password(tmp_path, {"HUB_PASSWORD": "short"})
