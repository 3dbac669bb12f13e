"""Helpers for driving the dashboard in Chromium the way a user does: keys, clicks, pixels."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from harness.viewers import Viewer

FIGURES = ("posterior", "frontal", "loads")


def image_src(page, figure: str) -> str:
    return page.locator(f".dgs-figure-{figure}").first.get_attribute("src") or ""


def figure_sources(page) -> dict[str, str]:
    return {name: image_src(page, name) for name in FIGURES}


def wait_for_new_sources(page, before: dict[str, str], figures=FIGURES, timeout_ms=15_000):
    """Wait until each named figure shows a new image; return the new sources."""
    for name in figures:
        page.wait_for_function(
            "([selector, old]) => { const el = document.querySelector(selector);"
            " return el && el.getAttribute('src') && el.getAttribute('src') !== old; }",
            arg=[f".dgs-figure-{name}", before[name]], timeout=timeout_ms)
    return figure_sources(page)


def settle(page, quiet_ms: int = 400, timeout_ms: int = 15_000) -> None:
    """Wait until no figure has changed for ``quiet_ms`` (the kernel has caught up).

    Raises AssertionError when the figures are still changing after ``timeout_ms``: a test must
    not go on to compare pictures the page is still drawing.
    """
    waited, last, quiet = 0, figure_sources(page), 0
    while waited < timeout_ms:
        page.wait_for_timeout(100)
        waited += 100
        now = figure_sources(page)
        quiet = quiet + 100 if now == last else 0
        last = now
        if quiet >= quiet_ms:
            return
    raise AssertionError(f"the figures were still changing after {timeout_ms} ms")


def page_kernel(page):
    """The kernel and cookies of a page open in Chromium, as a client of its own would use."""
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    return Viewer(kernel_id, cookie, page="")


def slider_handle(page, name: str):
    return page.locator(f".dgs-control-{name} .noUi-handle").first


def slider_value(page, name: str) -> float:
    return float(slider_handle(page, name).get_attribute("aria-valuenow"))


def press_slider(page, name: str, key: str, times: int = 1) -> None:
    handle = slider_handle(page, name)
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def set_slider(page, name: str, value: float) -> None:
    """Move a slider to ``value`` with the arrow keys, as a keyboard user would."""
    handle = slider_handle(page, name)
    handle.focus()
    for _ in range(200):
        current = slider_value(page, name)
        if abs(current - value) < 1e-9:
            return
        page.keyboard.press("ArrowRight" if current < value else "ArrowLeft")
    raise AssertionError(f"slider {name} did not reach {value}")


def select_option(page, name: str, value: str) -> None:
    """Choose the option whose value (task, variant letter, language code) is ``value``."""
    from deepgluteal.scenario import NERVE_VARIANTS, TASKS
    from deepgluteal.text import LANGUAGES

    index = {"task": TASKS, "variant": NERVE_VARIANTS, "language": LANGUAGES}[name].index(value)
    page.locator(f".dgs-control-{name} select").select_option(index=index)


def click(page, name: str) -> None:
    page.locator(f".dgs-control-{name}").first.click()


def text_of(page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


def screenshot_array(page, selector: str = "body") -> np.ndarray:
    png = page.locator(selector).first.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def changed_fraction(a: np.ndarray, b: np.ndarray, threshold: int = 24) -> float:
    """Fraction of pixels that differ by more than ``threshold`` in any channel."""
    if a.shape != b.shape:
        # an element at a fractional position is captured one row or column larger
        if any(abs(x - y) > 1 for x, y in zip(a.shape, b.shape, strict=True)):
            return 1.0
        rows, cols = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        a, b = a[:rows, :cols], b[:rows, :cols]
    return float((np.abs(a - b).max(axis=-1) > threshold).mean())


def keyboard_redraws(page, timeout_s: float = 30.0) -> bool:
    """A keyboard user moves the valgus slider one step; True when the frontal view changes."""
    def pixels():
        return page.locator(".dgs-figure-frontal").first.screenshot()

    # The page may still be showing changes the kernel made before (after a flood of updates it
    # works through a backlog): the user presses once it shows a steady state.
    deadline = time.monotonic() + timeout_s
    before, steady_since = pixels(), time.monotonic()
    while time.monotonic() - steady_since < 1.0 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = pixels()
        if now != before:
            before, steady_since = now, time.monotonic()
    handle = slider_handle(page, "valgus")
    handle.focus()
    now = handle.get_attribute("aria-valuenow")
    low = handle.get_attribute("aria-valuemin")
    page.keyboard.press("ArrowLeft" if now and low and float(now) > float(low) else "ArrowRight")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(200)
        if pixels() != before:
            return True
    return False


def controls_reached_by_tab(page, presses: int) -> set[str]:
    """The ``dgs-control-<name>`` classes that Tab reaches from the focused element, asserting on
    the way that the focus never leaves the screen sideways."""
    reached = set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        control, left, right, width = page.evaluate(
            "() => { const el = document.activeElement; const c = el && el.closest("
            "'[class*=\"dgs-control-\"]'); const r = el.getBoundingClientRect();"
            " return [c ? [...c.classList].find(x => x.startsWith('dgs-control-')) : null,"
            " r.left, r.right, innerWidth]; }")
        reached.add(control)
        assert left >= -1 and right <= width + 1, "the focus went off the screen"
    return reached
