"""Kernels come and go with their viewers: closed tabs free them, idle ones are culled, a cap
turns extra visitors away kindly, and a lost kernel or server is said plainly and recovered.

Each test runs its own Voila server with the project's ``voila.json`` (and, where named,
command-line overrides of it), so that kernel counts are its own.
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error

import pytest
from browser import keyboard_redraws, page_kernel
from conftest import LOG_DIR, open_dashboard, wait_until_drawn

from deepgluteal.serving import TRACEBACK
from harness.servers import VoilaProcess, kernel_pid
from harness.viewers import KernelSocket, close_viewer, open_viewer

pytestmark = pytest.mark.browser

POOL_SIZE = 1  # voila.json: VoilaConfiguration.default_pool_size
FOREIGN_URL = re.compile(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', re.IGNORECASE)


def wait_until(condition, timeout_s: float, step_s: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


def assert_lost_dialog_then_reload_recovers(page, server) -> None:
    """The page says in plain words that it lost the explainer, and its button brings it back."""
    page.wait_for_selector("#dgs-lost", state="visible", timeout=30_000)
    words = page.locator("#dgs-lost").inner_text()
    assert len(words.split()) >= 5, f"too few words for a lost connection: {words!r}"
    assert not re.search(r"kernel|websocket|traceback|exception|error \d", words, re.I), words
    button = page.locator("#dgs-lost button")
    assert button.is_visible() and "reload" in button.inner_text().lower()
    button.click()
    page.wait_for_selector(".dgs-dashboard", timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[class*=\"dgs-figure-\"]')]"
        ".some(el => el.getAttribute('src') || el.querySelector('canvas'))", timeout=60_000)
    page.wait_for_timeout(500)
    assert page.locator("#dgs-lost").is_hidden()
    assert keyboard_redraws(page), "the reloaded dashboard does not answer"
    assert page.watch.foreign_requests == []


@pytest.fixture(scope="module")
def server():
    with VoilaProcess(log_dir=LOG_DIR) as running:
        assert wait_until(lambda: len(running.kernel_pids()) == POOL_SIZE, 120)
        yield running


# ----------------------------------------------------------------------------- closed tabs
def test_closing_the_dashboard_twenty_times_leaves_no_kernels_behind(browser, server):
    for _ in range(20):
        page, context = open_dashboard(browser, server)
        page.close(run_before_unload=True)
        context.close()
    settled = wait_until(lambda: len(server.kernel_pids()) <= POOL_SIZE + 1, 30)
    assert settled, (f"{len(server.kernel_pids())} kernels after 20 closed tabs; at most "
                     f"{POOL_SIZE + 1} (the preheated pool plus one) expected")


def test_a_tab_closed_without_beforeunload_frees_its_kernel(browser, server):
    """Phones and tablets skip beforeunload; the page also asks on pagehide."""
    page, context = open_dashboard(browser, server)
    kernel_id = page_kernel(page).kernel_id
    assert kernel_pid(kernel_id) is not None
    context.close()  # no beforeunload handlers run
    assert wait_until(lambda: kernel_pid(kernel_id) is None, 30)


# ----------------------------------------------------------------------------- faults
def test_a_killed_kernel_is_said_plainly_and_a_reload_recovers(browser, server):
    page, context = open_dashboard(browser, server)
    try:
        page.wait_for_timeout(500)
        assert page.locator("#dgs-lost").is_hidden()
        kernel_id = page_kernel(page).kernel_id
        os.kill(kernel_pid(kernel_id), signal.SIGKILL)
        assert_lost_dialog_then_reload_recovers(page, server)
        assert page_kernel(page).kernel_id != kernel_id
    finally:
        context.close()


def test_a_dashboard_whose_widgets_failed_to_load_reloads_itself(browser, server):
    """Where the widget manager printed its "model not found" instead of the dashboard (as
    ipywidgets' renderer words it), the page reloads by itself and the visitor gets a dashboard
    on a fresh kernel."""
    page, context = open_dashboard(browser, server)
    try:
        kernel_id = page_kernel(page).kernel_id
        with page.expect_navigation(timeout=30_000):
            page.evaluate("""() => {
                const dashboard = document.querySelector('.dgs-dashboard');
                const failed = document.createElement('div');
                failed.className = 'jupyter-widgets';
                failed.textContent = 'Error displaying widget: model not found';
                dashboard.replaceWith(failed);
            }""")
        wait_until_drawn(page)
        assert page_kernel(page).kernel_id != kernel_id
        assert page.locator(".dgs-dashboard").first.is_visible()
    finally:
        context.close()


def test_a_restarted_server_is_said_plainly_and_a_reload_recovers(browser):
    first = VoilaProcess(log_dir=LOG_DIR)
    page = context = second = None
    try:
        page, context = open_dashboard(browser, first)
        page.wait_for_timeout(500)
        first.stop()
        page.wait_for_selector("#dgs-lost", state="visible", timeout=30_000)
        second = VoilaProcess(log_dir=LOG_DIR, port=first.port)
        assert_lost_dialog_then_reload_recovers(page, second)
    finally:
        if context is not None:
            context.close()
        first.stop()
        if second is not None:
            second.stop()


# ----------------------------------------------------------------------------- culling
CULL_IDLE_S, CULL_INTERVAL_S = 4, 1


def test_a_kernel_whose_page_went_away_is_culled_after_the_idle_time():
    """voila.json culls a kernel 300 s after its page went away; here 4 s, checked every 1 s.

    Both kernels fall idle together; only the one whose page went away is culled. That the
    culler did cull it proves it ran past the idle time, so the open page's kernel, idle just
    as long, survived because its page is open, not because the culler had not run yet.
    """
    overrides = [f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
                 f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}"]
    with VoilaProcess(log_dir=LOG_DIR, extra_args=overrides) as server:
        gone, open_tab = open_viewer(server.url), open_viewer(server.url)
        with KernelSocket(server.url, open_tab.kernel_id, open_tab.cookie) as kept:
            kept.widget_states()  # the open page's last message comes first
            with KernelSocket(server.url, gone.kernel_id, gone.cookie) as socket:
                socket.widget_states()
            went_away = time.monotonic()
            assert wait_until(lambda: kernel_pid(gone.kernel_id) is None, CULL_IDLE_S + 30), \
                "the kernel of a page that went away was never culled"
            # idle time counts from the moment the page went away, not from its last message
            assert time.monotonic() - went_away >= CULL_IDLE_S - 0.5, "culled before its time"
            assert kernel_pid(open_tab.kernel_id) is not None, "an open page lost its kernel"
            kept.widget_states()
        assert len(server.kernel_pids()) == POOL_SIZE + 1  # the pool is never culled


def test_a_kernel_preheated_long_before_its_visitor_is_not_culled_before_the_page_connects():
    """A visitor who comes after a quiet spell longer than the idle time takes a preheated
    kernel whose last activity is old. Its idle time starts when it is handed over: the culler
    does not take it at its next poll, while the page is still loading (which left the
    visitor a dashboard that never appeared), and still culls it if the page never connects.
    """
    overrides = [f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
                 f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}"]
    with VoilaProcess(log_dir=LOG_DIR, extra_args=overrides) as server:
        assert wait_until(lambda: "Kernel pool of" in server.log(), 120), "no pool was heated"
        # The quiet spell itself is what is tested, so it is waited out.
        time.sleep(CULL_IDLE_S + 2 * CULL_INTERVAL_S)
        late = open_viewer(server.url)  # the page is handed its kernel, not yet connected
        handed_over = time.monotonic()
        assert wait_until(lambda: kernel_pid(late.kernel_id) is None, CULL_IDLE_S + 30), \
            "a kernel whose page never connected was never culled"
        assert time.monotonic() - handed_over >= CULL_IDLE_S - CULL_INTERVAL_S, \
            "a preheated kernel was culled before its page had the idle time to connect"
        # and a late visitor who does connect in that time gets a working dashboard
        time.sleep(CULL_IDLE_S + 2 * CULL_INTERVAL_S)
        visitor = open_viewer(server.url)
        time.sleep(2 * CULL_INTERVAL_S)  # the page loads its scripts; the culler polls
        with KernelSocket(server.url, visitor.kernel_id, visitor.cookie) as socket:
            assert socket.widget_states(), "the late visitor's kernel answers no widget state"


# ----------------------------------------------------------------------------- the cap
MAX_KERNELS = 3


def refused(server) -> urllib.error.HTTPError | None:
    try:
        taken = open_viewer(server.url)
    except urllib.error.HTTPError as error:
        return error
    close_viewer(server.url, taken.kernel_id, taken.cookie)
    raise AssertionError("a visitor past the cap got a kernel")


def test_visitors_past_the_cap_get_a_friendly_page_and_a_place_when_one_frees(browser):
    with VoilaProcess(log_dir=LOG_DIR,
                      extra_args=[f"--CappedKernelManager.max_kernels={MAX_KERNELS}"]) as server:
        viewers = [open_viewer(server.url) for _ in range(MAX_KERNELS)]
        assert len({viewer.kernel_id for viewer in viewers}) == MAX_KERNELS
        for _ in range(2):  # the failed pool refill, then a direct start
            error = refused(server)
            assert error.code == 503
            page = error.read().decode("utf-8")
            assert "try again" in page.lower() and "full" in page.lower()
            assert not TRACEBACK.search(page) and not FOREIGN_URL.search(page)
            assert len(server.kernel_pids()) <= MAX_KERNELS

        context = browser.new_context()
        try:
            tab = context.new_page()
            foreign = []
            tab.on("request", lambda request: foreign.append(request.url)
                   if not request.url.startswith(server.url) else None)
            response = tab.goto(server.url)
            assert response.status == 503
            assert tab.get_by_role("button", name=re.compile("try again", re.I)).is_visible()
            assert "minute" in tab.locator("body").inner_text()
            assert foreign == []
        finally:
            context.close()

        assert close_viewer(server.url, viewers[0].kernel_id, viewers[0].cookie) == 204
        assert wait_until(lambda: len(server.kernel_pids()) == MAX_KERNELS, 60)  # pool refilled
        newcomer = open_viewer(server.url)
        assert newcomer.kernel_id not in {viewer.kernel_id for viewer in viewers}
        assert refused(server).code == 503
        assert len(server.kernel_pids()) <= MAX_KERNELS
