"""A shared link opens its state however long the server's waiting kernel has waited."""

from __future__ import annotations

import pytest
from browser import settle, slider_value, text_of
from conftest import LATE_VISITOR_AFTER_S, open_dashboard

from deepgluteal.serving import TRACEBACK

pytestmark = pytest.mark.browser

# Records every title the page shows, from its very first, to catch a wrong state shown first.
RECORD_TITLES = """
window.dgsTitles = [];
new MutationObserver(() => {
  const title = document.querySelector('.dgs-title h1');
  const text = title ? title.textContent : '';
  if (text && window.dgsTitles[window.dgsTitles.length - 1] !== text) {
    window.dgsTitles.push(text);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_a_link_opened_minutes_after_the_kernel_waited_opens_its_state(browser,
                                                                      aged_voila_server):
    from deepgluteal.text import message

    assert LATE_VISITOR_AFTER_S > 60  # well past the 10 s the old wait gave up after
    page, context = open_dashboard(browser, aged_voila_server,
                                   "?valgus=12&lang=es&glute_max=fuerte", RECORD_TITLES)
    try:
        settle(page)
        assert slider_value(page, "valgus") == 12
        spanish_title = message("app.title", "es")
        page.wait_for_function("title => document.querySelector('.dgs-title h1')"
                               ".textContent === title", arg=spanish_title, timeout=30_000)
        assert not TRACEBACK.search(page.content())
        # the bad value still falls back with a visible note naming it
        note = page.locator(".dgs-note").first
        assert note.is_visible() and "glute_max" in text_of(page, ".dgs-note")
        assert slider_value(page, "glute_max") == 100
        # the page never showed the default (English) state first
        assert page.evaluate("window.dgsTitles") == [spanish_title]
    finally:
        context.close()


def test_copy_link_copies_a_link_that_opens_the_same_state(browser, voila_server):
    from browser import set_slider

    page, context = open_dashboard(browser, voila_server, "?lang=es")
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        settle(page)
        set_slider(page, "valgus", 5)
        page.locator(".dgs-control-mode button").nth(1).click()
        page.wait_for_function("() => (document.querySelector('.dgs-link')?.dataset.query || '')"
                               ".includes('valgus=5')", timeout=30_000)
        page.locator(".dgs-control-copy-link").first.click()
        page.wait_for_function("() => document.querySelector('.dgs-link-text').textContent"
                               ".includes('valgus=5')", timeout=15_000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(voila_server.url + "?")  # no public address: the page's own
        assert copied in text_of(page, ".dgs-link-text")
    finally:
        context.close()
    page, context = open_dashboard(browser, voila_server, "?" + copied.split("?", 1)[1])
    try:
        settle(page)
        assert slider_value(page, "valgus") == 5
        page.wait_for_function("title => document.querySelector('.dgs-title h1')"
                               ".textContent === title",
                               arg=__import__("deepgluteal.text").text.message("app.title", "es"),
                               timeout=30_000)
        assert "Σ" in text_of(page, ".dgs-panel-narrative")  # student mode came along
        assert text_of(page, ".dgs-note").strip() == ""
    finally:
        context.close()
