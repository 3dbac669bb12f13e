"""The dashboard behind Debian's nginx at /dgs/, with the project's deploy/nginx/dgs.conf.

nginx runs as a child process (not a daemon) with a configuration in a temporary folder that
includes ``dgs.conf`` with only its listen and upstream ports changed; it is stopped whatever
happens. Voila runs with ``--base_url=/dgs/`` so that the page's own addresses carry the prefix.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import LOG_DIR, open_dashboard

from deepgluteal.serve import free_port
from harness import REPOSITORY
from harness.servers import ServerProcess, VoilaProcess

pytestmark = pytest.mark.browser

NGINX = "/usr/sbin/nginx"
SITE = REPOSITORY / "deploy" / "nginx" / "dgs.conf"
BASE_URL = "/dgs/"


def site_config(voila_port: int, listen_port: int) -> str:
    """``dgs.conf`` with the test's two ports; fails if the marked lines are not there once."""
    text = SITE.read_text()
    for mark, replacement in (("upstream", f"server 127.0.0.1:{voila_port};"),
                              ("listen", f"listen 127.0.0.1:{listen_port};")):
        pattern = re.compile(rf"^(\s*)\S.*;(\s*# dgs-test: {mark})$", re.MULTILINE)
        text, count = pattern.subn(rf"\g<1>{replacement}\g<2>", text)
        assert count == 1, f"dgs.conf must have one line marked 'dgs-test: {mark}'"
    return text


class NginxProcess(ServerProcess):
    """Debian's nginx in the foreground, configured in its own temporary folder; its errors
    and its output go to the log."""

    name = "nginx"
    any_status_is_up = True  # nginx answers (Voila may still be starting)
    stop_timeout_s = 10.0  # SIGTERM to the group: a fast shutdown, workers included
    poll_s = 0.1

    def __init__(self, voila_port: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{BASE_URL}"
        self.folder = Path(tempfile.mkdtemp(prefix="dgs-nginx-"))
        self.folder.chmod(0o755)  # nginx's workers drop root and still read their folder
        (self.folder / "dgs.conf").write_text(site_config(voila_port, self.port))
        (self.folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 512; }}
http {{
    access_log {self.folder}/access.log;
    client_body_temp_path {self.folder}/client_body;
    proxy_temp_path {self.folder}/proxy;
    fastcgi_temp_path {self.folder}/fastcgi;
    uwsgi_temp_path {self.folder}/uwsgi;
    scgi_temp_path {self.folder}/scgi;
    include {self.folder}/dgs.conf;
}}
""")
        super().__init__(
            [NGINX, "-p", self.folder, "-e", "stderr", "-c", self.folder / "nginx.conf",
             "-g", "daemon off;"],
            LOG_DIR / f"dgs-nginx-{self.port}.log", self.url + "voila/static/voila.js", 20.0)

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def proxied():
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"{NGINX} is missing: run `make test` (it installs Debian's nginx)")
    voila = VoilaProcess(log_dir=LOG_DIR, base_url=BASE_URL)
    nginx = None
    try:
        nginx = NginxProcess(voila.port)
        yield voila, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        voila.stop()


def test_the_dashboard_works_through_the_proxy(browser, proxied):
    voila, nginx = proxied
    page, context = open_dashboard(browser, nginx)
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    try:
        page.reload(wait_until="domcontentloaded")  # to see the page's websockets open
        page.wait_for_selector(".dgs-dashboard", timeout=60_000)
        page.wait_for_timeout(1000)
        before = page.locator(".dgs-figure-frontal").first.screenshot()
        page.locator(".dgs-control-valgus .noUi-handle").first.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        changed = False
        for _ in range(100):
            page.wait_for_timeout(100)
            if page.locator(".dgs-figure-frontal").first.screenshot() != before:
                changed = True
                break
        assert changed, "moving the valgus slider did not change the figure through the proxy"
        kernel_sockets = [url for url in sockets if "/api/kernels/" in url]
        assert kernel_sockets and all(
            url.startswith(f"ws://127.0.0.1:{nginx.port}{BASE_URL}") for url in kernel_sockets)
        assert page.watch.foreign_requests == [], "the page asked a host other than the proxy"
        assert page.locator("#dgs-lost").is_hidden()
    finally:
        context.close()
    pool = 1  # voila.json: default_pool_size
    deadline = time.monotonic() + 30
    while len(voila.kernel_pids()) > pool and time.monotonic() < deadline:
        time.sleep(0.25)
    assert len(voila.kernel_pids()) == pool, "the closed tab's kernel outlived it behind the proxy"
    assert "[crit]" not in nginx.log() and "[emerg]" not in nginx.log()


def test_the_proxy_serves_only_the_explainer(proxied):
    _, nginx = proxied
    root = nginx.url.removesuffix(BASE_URL) + "/"
    for url in (root, root + "api/contents", root + "etc/passwd", nginx.url + "api/contents"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=30).read()
        assert refused.value.code in (403, 404, 405)
