"""Shared fixtures: the real dashboard under Voila, and headless Debian Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDGET_SELECTOR = ".dgs-dashboard"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class VoilaServer:
    """A Voila process serving the dashboard with the project's voila.json."""

    def __init__(self, notebook: str = "notebooks/dashboard.ipynb", extra_args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        log_dir = REPO / "tests" / "output"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"voila-{self.port}.log"
        voila = Path(sys.executable).with_name("voila")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(voila), notebook, f"--port={self.port}", "--no-browser", *extra_args],
            cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_until_up()

    def _wait_until_up(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"voila exited early; log:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "voila/static/voila.js", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"voila did not answer in {timeout_s} s; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


@pytest.fixture(scope="session")
def voila_server():
    server = VoilaServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class PageWatch:
    """What a page asked for and what its console said."""

    def __init__(self, page, server_url: str):
        self.page = page
        self.server_host = urlparse(server_url).netloc
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _on_request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != self.server_host:
            self.foreign_requests.append(request.url)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
def dashboard_page(browser, voila_server):
    """A fresh tab on the dashboard, waited until its widgets are drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    watch = PageWatch(page, voila_server.url)
    page.goto(voila_server.url, wait_until="domcontentloaded")
    page.wait_for_selector(WIDGET_SELECTOR, timeout=60_000)
    page.wait_for_selector("[class*='dgs-figure-'] canvas", timeout=60_000)
    page.watch = watch
    try:
        yield page
    finally:
        context.close()
