"""Which language a visitor reads: the link's, else the browser's, else the server's default."""

from __future__ import annotations

import pytest

from deepgluteal.dashboard import Dashboard
from deepgluteal.language import browser_languages, choose_language, default_language

SUPPORTED = ("en", "es")


@pytest.mark.parametrize(("header", "expected"), [
    ("es-ES,es;q=0.9,en;q=0.8", ["es", "en"]),
    ("en-GB,en;q=0.9", ["en"]),
    ("fr-FR;q=0.5, es;q=0.7, de", ["de", "es", "fr"]),
    ("en;q=0, es", ["es"]),
    ("*", ["*"]),
    ("", []),
    (None, []),
    ("es;q=banana, ;;, en-US;q=2, 12, fr", ["fr"]),
])
def test_browser_languages_in_order_of_preference(header, expected):
    assert browser_languages(header) == expected


@pytest.mark.parametrize(("query", "header", "default", "expected"), [
    (None, "es-ES,es;q=0.9,en;q=0.8", "en", "es"),  # a Spanish browser reads Spanish
    (None, "en-US,en;q=0.9,es;q=0.8", "es", "en"),  # the browser wins over the server
    ("en", "es-ES,es;q=0.9", "en", "en"),  # the link wins over the browser
    ("es", "", "en", "es"),
    (None, "fr-FR,fr;q=0.9,es;q=0.5", "en", "es"),  # first supported of the browser's
    (None, "fr-FR,de;q=0.9", "es", "es"),  # none supported: the server's default
    (None, "*", "es", "es"),
    (None, "", "en", "en"),
    ("xx", "de", "en", "en"),  # an unsupported link value is not a choice
    (None, "de", "xx", "en"),  # an unsupported default falls back to English
    (None, "ES-mx", "en", "es"),  # tags are case-insensitive
])
def test_choose_language(query, header, default, expected):
    assert choose_language(query, header, default=default, supported=SUPPORTED) == expected


def test_a_huge_header_is_read_in_bounded_time():
    assert choose_language(None, "x," * 100_000 + "es", supported=SUPPORTED) == "en"


def test_default_language_reads_the_servers_setting():
    assert default_language({"DGS_DEFAULT_LANG": "es"}) == "es"
    assert default_language({"DGS_DEFAULT_LANG": "ES "}) == "es"
    assert default_language({"DGS_DEFAULT_LANG": "klingon"}) == "en"
    assert default_language({}) == "en"


def test_the_dashboard_follows_the_browser_unless_the_link_says_otherwise():
    spanish_browser = "es-ES,es;q=0.9"
    dashboard = Dashboard("en")
    dashboard.apply_query_string("valgus=10", accept_language=spanish_browser)
    assert dashboard.language.value == dashboard.lang == "es"
    assert dashboard.notes == []
    dashboard = Dashboard("en")
    dashboard.apply_query_string("lang=en", accept_language=spanish_browser)
    assert dashboard.lang == "en"
    dashboard = Dashboard("es")
    dashboard.apply_query_string("", accept_language="de-DE")
    assert dashboard.lang == "es", "an unsupported browser language keeps the server's default"
