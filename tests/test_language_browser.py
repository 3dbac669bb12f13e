"""A visitor whose browser prefers Spanish reads the dashboard in Spanish without ``?lang=``;
a link's ``?lang=`` still wins, and an English browser reads English."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import settle, text_of
from conftest import LOG_DIR, WIDGET_SELECTOR

from deepgluteal import text
from harness.servers import VoilaProcess

pytestmark = pytest.mark.browser

SPANISH_RED_FLAGS = text.message("red_flags.heading", "es")
ENGLISH_RED_FLAGS = text.message("red_flags.heading", "en")


def open_with_locale(browser, server, locale: str, query: str = ""):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=locale)
    page = context.new_page()
    page.goto(server.url + query, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(WIDGET_SELECTOR, timeout=60_000)
    return page, context


def shown_language(page) -> str:
    index = page.locator(".dgs-control-language select").evaluate("el => el.selectedIndex")
    return text.LANGUAGES[index]


@pytest.mark.parametrize(("locale", "query", "expected"), [
    ("es-ES", "", "es"),
    ("es-ES", "?lang=en", "en"),
    ("en-GB", "", "en"),
])
def test_the_page_speaks_the_browsers_language_unless_the_link_says(browser, voila_server,
                                                                    locale, query, expected):
    page, context = open_with_locale(browser, voila_server, locale, query)
    try:
        heading = SPANISH_RED_FLAGS if expected == "es" else ENGLISH_RED_FLAGS
        page.wait_for_function(
            "([selector, words]) => { const el = document.querySelector(selector);"
            " return el && el.innerText.includes(words); }",
            arg=[".dgs-panel-redflags", heading], timeout=60_000)
        settle(page)
        assert shown_language(page) == expected
        assert heading in text_of(page, ".dgs-panel-redflags")
        assert "".join(page.locator(".dgs-note").all_inner_texts()).strip() == ""
        # a screen reader pronounces the page in the language it shows, and follows a change
        page.wait_for_function("lang => document.documentElement.lang === lang",
                               arg=expected, timeout=30_000)
        other = next(lang for lang in text.LANGUAGES if lang != expected)
        page.locator(".dgs-control-language select").select_option(
            index=text.LANGUAGES.index(other))
        page.wait_for_function("lang => document.documentElement.lang === lang",
                               arg=other, timeout=30_000)
    finally:
        context.close()


def test_the_servers_language_serves_browsers_it_cannot_speak_to(browser):
    """``deepgluteal serve --lang es``: a German browser (no catalogue) reads Spanish, and the
    kernels learn the public address of ``--public-url``."""
    public = "https://clinic.example.org/dgs/"
    with VoilaProcess(log_dir=LOG_DIR,
                      serve_args=["--lang=es", f"--public-url={public}"]) as server:
        page, context = open_with_locale(browser, server, "de-DE")
        try:
            page.wait_for_function(
                "([selector, words]) => { const el = document.querySelector(selector);"
                " return el && el.innerText.includes(words); }",
                arg=[".dgs-panel-redflags", SPANISH_RED_FLAGS], timeout=60_000)
            assert shown_language(page) == "es"
            environments = [Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                            for pid in server.kernel_pids()]
            assert environments
            for environment in environments:
                assert f"DGS_PUBLIC_URL={public}".encode() in environment
                assert b"DGS_DEFAULT_LANG=es" in environment
        finally:
            context.close()
