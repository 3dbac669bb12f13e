"""The dashboard served by Voila, driven in headless Chromium like a user would."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def figure_pixels(page, name: str) -> bytes:
    """Screenshot of one figure's container (PNG bytes)."""
    return page.locator(f".dgs-figure-{name}").screenshot()


def wait_for_change(page, name: str, before: bytes, timeout_s: float = 10.0) -> bytes:
    deadline_ms = timeout_s * 1000
    waited = 0
    while waited < deadline_ms:
        after = figure_pixels(page, name)
        if after != before:
            return after
        page.wait_for_timeout(100)
        waited += 100
    return before


def test_valgus_slider_changes_the_frontal_figure(dashboard_page):
    page = dashboard_page
    page.wait_for_timeout(500)  # let the first frame settle
    before = figure_pixels(page, "frontal")
    handle = page.locator(".dgs-control-valgus .noUi-handle, .dgs-control-valgus .slider-handle")
    handle.first.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    readout = page.locator(".dgs-control-valgus .widget-readout").first
    assert readout.inner_text().strip() == "8"
    after = wait_for_change(page, "frontal", before)
    assert after != before, "moving the valgus slider did not change the figure's pixels"


def test_page_stays_on_this_machine_and_console_is_clean(dashboard_page):
    page = dashboard_page
    page.wait_for_timeout(1000)
    assert page.watch.foreign_requests == []
    assert page.watch.console_errors == []
