"""Every screen: desktop, projector, tablet, phone; by keyboard and by touch; an axe audit.

One page load per layout carries every check of that layout (the server and the browser are
shared by the whole session), so the suite stays quick.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import (
    changed_fraction,
    controls_reached_by_tab,
    figure_sources,
    settle,
    slider_value,
    wait_for_new_sources,
)
from layouts import LAYOUTS, Layout, open_layout
from PIL import Image
from text_layout import PAGE_TEXT_PROBLEMS_JS

pytestmark = pytest.mark.browser

BASELINES = Path(__file__).resolve().parent / "baseline"
UPDATE_BASELINES = os.environ.get("DGS_UPDATE_BASELINES") == "1"
# Share of pixels of the main row (narrative and numbers masked) allowed to differ from the
# baseline: fonts anti-alias a little differently from run to run; the narrower the screen,
# the larger the share of text in the picture.
TOLERANCE = {"desktop_1920x1080": 0.01, "laptop_1280x720": 0.01, "projector_1024x768": 0.015,
             "tablet_landscape_1180x820": 0.015, "tablet_portrait_820x1180": 0.015,
             "phone_390x844": 0.02}
TOUCH_TARGET_PX = 44
CONTROLS = ("valgus", "glute_med", "glute_max", "task", "stance", "variant", "compensation",
            "handout", "projector", "mode", "language")


def serious_violations(page, context=None) -> list[str]:
    """axe-core's violations of impact serious or critical (axe is bundled, nothing fetched)."""
    results = Axe().run(page, context=context)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def moderate_violations(page) -> set[str]:
    results = Axe().run(page)
    return {v["id"] for v in results.response["violations"] if v["impact"] == "moderate"}


def moderate_findings_left_in_readme() -> set[str]:
    """The rule ids the README's audit paragraph lists as moderate findings left, with why."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("Moderate findings left:", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"`([a-z-]+)` \(", paragraph))


def overflow_problems(page) -> list[str]:
    """Parts of the page that reach past the right edge of the window, or a page that scrolls
    sideways."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth, problems = [];
      if (document.documentElement.scrollWidth > width + 1)
        problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
      for (const el of document.querySelectorAll('.dgs-dashboard *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (getComputedStyle(el).visibility === 'hidden') continue;
        if (r.right > width + 1 || r.left < -1)
          problems.push(el.className.toString().slice(0, 50) + ' ' + Math.round(r.left) + '-'
                        + Math.round(r.right));
      }
      return problems.slice(0, 10);
    }""")


def flags_in_view(page) -> bool:
    box = page.locator(".dgs-panel-redflags").first.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["height"] > 10 and box["y"] >= 0 and \
        box["y"] + box["height"] <= viewport["height"] + 0.5


def small_targets(page) -> list[str]:
    """Touch targets smaller than 44 x 44 CSS px (a slider's handle counts its hit area)."""
    return page.evaluate("""(minimum) => {
      const small = [];
      const shown = (el) => { const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
      for (const el of document.querySelectorAll(
          '.dgs-dashboard button, .dgs-dashboard select, '
          + '.dgs-dashboard input[type=checkbox], .dgs-flags-toggle')) {
        if (!shown(el)) continue;
        // A checkbox is operated through its label too: the larger of the two counts.
        let r = el.getBoundingClientRect();
        const label = el.closest('label')
          || (el.parentElement && el.parentElement.querySelector('label'));
        if (el.type === 'checkbox' && label) {
          const l = el.parentElement.getBoundingClientRect();
          r = {width: Math.max(r.width, l.width), height: Math.max(r.height, l.height)};
        }
        if (r.width < minimum - 0.5 || r.height < minimum - 0.5)
          small.push((el.textContent.trim() || el.className || el.tagName).slice(0, 30) + ' '
                     + Math.round(r.width) + 'x' + Math.round(r.height));
      }
      for (const handle of document.querySelectorAll('.dgs-dashboard .noUi-handle')) {
        if (!shown(handle)) continue;
        const r = handle.getBoundingClientRect();
        const cx = r.left + r.width / 2, cy = r.top + r.height / 2, reach = minimum / 2 - 1;
        const slider = handle.closest('.widget-slider').getBoundingClientRect();
        // Across the track, the slider's row is the target: it must be 44 px tall.
        const row = handle.closest('.slider-container').getBoundingClientRect();
        if (row.height < minimum - 0.5) { small.push('slider row ' + Math.round(row.height)); }
        for (const [dx, dy] of [[-reach, 0], [reach, 0]]) {
          // at the end of its track the handle's reach past the slider's own box is no loss
          if (cx + dx < slider.left || cx + dx > slider.right) continue;
          const hit = document.elementFromPoint(cx + dx, cy + dy);
          if (!hit || !handle.contains(hit)) {
            small.push('slider handle ' + handle.getAttribute('aria-label')); break; }
        }
      }
      return small;
    }""", TOUCH_TARGET_PX)


def drag_by_finger(page, name: str, dx: float) -> None:
    """A finger presses a slider's handle and moves it sideways (real touch events)."""
    box = page.locator(f".dgs-control-{name} .noUi-handle").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    session = page.context.new_cdp_session(page)
    session.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                              "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        session.send("Input.dispatchTouchEvent", {
            "type": "touchMove", "touchPoints": [{"x": x + dx * step / 10, "y": y}]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def tap(page, selector: str) -> None:
    """A finger taps an element, once the person has scrolled it to the middle of the screen
    (Playwright stops scrolling as soon as an element touches the window, maybe under the red
    flags)."""
    element = page.locator(selector).first
    element.evaluate("el => el.scrollIntoView({block: 'center'})")
    element.tap()


def compare_with_baseline(page, layout: Layout) -> None:
    # The main row from its top, as much of it as the window shows (header and red flags
    # are left out: other panels of the page are not this layout's business).
    main = page.locator(".dgs-main").first
    main.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(200)
    box = main.bounding_box()
    viewport = page.viewport_size
    clip = {"x": box["x"], "y": box["y"], "width": box["width"],
            "height": min(box["height"], viewport["height"] - box["y"])}
    png = page.screenshot(clip=clip, mask=[page.locator(".dgs-panel-narrative"),
                                           page.locator(".dgs-panel-numbers")],
                          animations="disabled", caret="hide",
                          style=".dgs-redflags, #dgs-gloss { visibility: hidden !important; }")
    import io

    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    path = BASELINES / f"layout-{layout.name}.png"
    if UPDATE_BASELINES:
        Image.fromarray(picture.astype(np.uint8)).save(path)
        return
    assert path.exists(), f"missing baseline {path.name}; make it with DGS_UPDATE_BASELINES=1"
    baseline = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    assert picture.shape == baseline.shape, f"{layout.name}: the main row changed size"
    assert changed_fraction(picture, baseline) < TOLERANCE[layout.name], \
        f"{layout.name} looks different from tests/baseline/{path.name}"


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.name for layout in LAYOUTS])
def test_every_layout_fits_works_and_passes_the_audit(browser, voila_server, layout):
    page, context = open_layout(browser, voila_server, layout)
    try:
        settle(page)
        # Nothing cut off, nothing to the right, no text on text.
        assert overflow_problems(page) == []
        assert page.evaluate(PAGE_TEXT_PROBLEMS_JS) == []
        assert not page.locator(".dgs-lost-text-source").first.is_visible()
        assert not page.locator("#dgs-lost").is_visible()
        # The red flags: in view from the start, and after scrolling to the end.
        assert flags_in_view(page)
        page.mouse.wheel(0, 3000) if not layout.touch else page.evaluate(
            "window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(200)
        assert flags_in_view(page)
        page.evaluate("window.scrollTo(0, 0)")
        # The posterior view is the first picture, and in view without scrolling.
        posterior = page.locator(".dgs-figure-posterior").first.bounding_box()
        assert posterior["y"] < layout.height * 0.6, "the posterior view is not seen first"
        if layout.narrow:  # the controls wait in the drawer: the whole picture is seen at once
            flags_top = page.locator(".dgs-redflags").first.bounding_box()["y"]
            assert posterior["y"] + posterior["height"] <= flags_top, \
                "the red flags cover the posterior view on opening"
        for other in (".dgs-figure-frontal", ".dgs-figure-loads"):
            assert page.locator(other).first.bounding_box()["y"] >= posterior["y"] - 1
        # The audit, with every text alternative in place.
        assert page.locator(".dgs-figure-posterior").first.get_attribute("alt")
        assert serious_violations(page) == []
        # Moderate findings are allowed only where the README says which and why.
        assert moderate_violations(page) <= moderate_findings_left_in_readme()
        if not layout.narrow:
            compare_with_baseline(page, layout)
        if layout.touch:
            _operate_by_touch(page, layout)
        else:
            _operate_by_keyboard(page)
        if layout.narrow:
            compare_with_baseline(page, layout)
        assert page.evaluate(PAGE_TEXT_PROBLEMS_JS) == []
        assert overflow_problems(page) == []
        assert page.watch.console_errors == []
    finally:
        context.close()


# The other words and modes: Spanish runs longer, student mode adds numbers and equations,
# projector mode enlarges everything. Each combination on every screen.
OTHER_WORDS = {
    "student_es": "?preset=weak_glutes_valgus&mode=student&lang=es",
    "student_en_projector": "?preset=weak_glutes_valgus&mode=student&lang=en&display=projector",
    "patient_es_projector": "?preset=sitting&lang=es&display=projector",
}


@pytest.mark.parametrize("words", OTHER_WORDS)
@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.name for layout in LAYOUTS])
def test_every_layout_holds_every_language_and_mode(browser, voila_server, layout, words):
    page, context = open_layout(browser, voila_server, layout, query=OTHER_WORDS[words])
    try:
        lang = "es" if "lang=es" in OTHER_WORDS[words] else "en"
        from deepgluteal.text import message

        heading = message("red_flags.heading", lang)
        page.wait_for_function("heading => (document.querySelector('.dgs-panel-redflags') ||"
                               " {innerText: ''}).innerText.includes(heading)", arg=heading,
                               timeout=60_000)
        if "student" in words:
            # student words carry equations
            page.wait_for_function("() => (document.querySelector('.dgs-panel-narrative') ||"
                                   " {innerText: ''}).innerText.includes('=')", timeout=60_000)
        if "projector" in words:
            page.wait_for_function("() => document.querySelector('.dgs-dashboard')"
                                   ".classList.contains('dgs-projector')", timeout=60_000)
        settle(page)
        assert overflow_problems(page) == []
        assert page.evaluate(PAGE_TEXT_PROBLEMS_JS) == []
        assert flags_in_view(page)
        assert not page.locator("#dgs-lost").is_visible()
        assert page.watch.console_errors == []
    finally:
        context.close()


def _operate_by_keyboard(page) -> None:
    before, value = figure_sources(page), slider_value(page, "valgus")
    live = page.locator("#dgs-live").inner_text()
    handle = page.locator(".dgs-control-valgus .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    wait_for_new_sources(page, before)
    assert slider_value(page, "valgus") == value + 1
    page.wait_for_function("old => document.querySelector('#dgs-live').innerText !== old",
                           arg=live, timeout=15_000)
    reached = controls_reached_by_tab(page, 60)
    for name in ("glute_med", "glute_max", "task", "stance", "variant", "compensation",
                 "handout", "projector"):
        assert f"dgs-control-{name}" in reached, f"Tab never reached {name}"


def _operate_by_touch(page, layout: Layout) -> None:
    if layout.narrow:  # the drawer opens and closes with a tap
        assert not page.locator(".dgs-control-valgus").first.is_visible()
        page.locator(".dgs-drawer-toggle").first.tap()
        page.locator(".dgs-control-valgus").first.wait_for(state="visible", timeout=5_000)
        assert page.locator(".dgs-drawer-toggle").first.get_attribute("aria-expanded") == "true"
    if layout.flags_folded:  # one line of red flags; the whole list one tap away
        assert not page.locator(".dgs-redflags li").first.is_visible()
        page.locator(".dgs-flags-toggle").tap()
        page.locator(".dgs-redflags li").first.wait_for(state="visible", timeout=5_000)
        assert flags_in_view(page)
        page.locator(".dgs-flags-toggle").tap()
        assert not page.locator(".dgs-redflags li").first.is_visible()
    else:  # there is room for the whole list
        assert page.locator(".dgs-redflags li").first.is_visible()
    assert small_targets(page) == []
    # A finger drags a slider; the pictures and the words follow.
    before, value = figure_sources(page), slider_value(page, "valgus")
    page.locator(".dgs-control-valgus .noUi-handle").first.scroll_into_view_if_needed()
    drag_by_finger(page, "valgus", 40)
    wait_for_new_sources(page, before)
    assert slider_value(page, "valgus") > value
    settle(page)
    # A tap on a preset.
    before = figure_sources(page)
    tap(page, ".dgs-control-preset-weak_glutes_valgus")
    wait_for_new_sources(page, before)
    settle(page)
    assert slider_value(page, "valgus") == 12
    # The handout: a visible link to tap, besides the automatic download.
    with page.expect_download(timeout=30_000):
        tap(page, ".dgs-control-handout")
    link = page.locator("a.dgs-handout-link").first
    link.wait_for(state="visible", timeout=10_000)
    box = link.bounding_box()
    assert box["width"] > 40 and box["height"] > 10
    tap(page, ".dgs-control-preset-healthy_walking")
    settle(page)
    if layout.narrow:
        page.locator(".dgs-drawer-toggle").first.tap()
        page.locator(".dgs-control-valgus").first.wait_for(state="hidden", timeout=5_000)
        page.evaluate("window.scrollTo(0, 0)")


def test_sharp_pictures_at_pixel_ratio_2_and_projector_mode(browser, voila_server):
    """A projector at 1024x768 on a laptop with a ratio-2 screen: the page tells the kernel
    its pixel ratio, the pictures come at twice the pixels, the words are larger."""
    layout = next(layout for layout in LAYOUTS if layout.name == "projector_1024x768")
    page, context = open_layout(browser, voila_server, layout, query="?display=projector",
                                pixel_ratio=2)
    try:
        for name, width in (("posterior", 920), ("frontal", 400), ("loads", 640)):
            page.wait_for_function(
                "([selector, width]) => document.querySelector(selector).naturalWidth === width",
                arg=[f".dgs-figure-{name}", width], timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('.dgs-dashboard').classList.contains('dgs-projector')",
            timeout=90_000)
        settle(page)
        assert page.locator(".dgs-control-projector input").is_checked()
        for name, width in (("posterior", 920), ("frontal", 400), ("loads", 640)):
            assert page.locator(f".dgs-figure-{name}").first.evaluate(
                "el => el.naturalWidth") == width
        size = page.locator(".dgs-panel-narrative").first.evaluate(
            "el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 17
        assert overflow_problems(page) == []
        assert page.evaluate(PAGE_TEXT_PROBLEMS_JS) == []
        assert serious_violations(page) == []
        # The controls fold away above the views, so the pictures are shown at their drawn
        # size (their words readable from the back of the room); one click brings them back.
        shown = page.locator(".dgs-figure-posterior").first.bounding_box()
        assert shown["width"] >= 459, "the posterior view is shrunk in projector mode"
        assert not page.locator(".dgs-control-valgus").first.is_visible()
        page.locator(".dgs-drawer-toggle").first.click()
        page.locator(".dgs-control-valgus").first.wait_for(state="visible", timeout=5_000)
        assert overflow_problems(page) == []
        before = figure_sources(page)
        page.locator(".dgs-control-projector input").uncheck()
        wait_for_new_sources(page, before)
        page.wait_for_function(
            "() => !document.querySelector('.dgs-dashboard').classList.contains('dgs-projector')")
        assert page.locator(".dgs-figure-posterior").first.evaluate("el => el.naturalWidth") == 920
        assert page.watch.console_errors == []
    finally:
        context.close()


@pytest.mark.parametrize("layout_name", ["laptop_1280x720", "phone_390x844"])
def test_about_pages_pass_the_audit_and_explain_words_on_a_tap(browser, voila_server,
                                                               layout_name):
    from deepgluteal.text import PAGES

    layout = next(layout for layout in LAYOUTS if layout.name == layout_name)
    page, context = open_layout(browser, voila_server, layout)
    press = (lambda selector: tap(page, selector)) if layout.touch else (
        lambda selector: page.locator(selector).first.click())
    try:
        settle(page)
        for name in PAGES:
            if layout.narrow:
                press(".dgs-drawer-toggle")
                page.locator(f".dgs-control-page-{name}").first.wait_for(state="visible")
            press(f".dgs-control-page-{name}")
            panel = page.locator(".dgs-panel-page").first
            panel.wait_for(state="visible", timeout=15_000)
            assert overflow_problems(page) == []
            assert serious_violations(page) == []
            word = panel.locator("abbr[title]").first
            word.evaluate("el => el.scrollIntoView({block: 'center'})")
            explanation = word.get_attribute("title")
            press(".dgs-panel-page abbr[title]")
            gloss = page.locator("#dgs-gloss")
            gloss.wait_for(state="visible", timeout=5_000)
            assert explanation in gloss.inner_text()
            box = gloss.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= layout.width + 0.5
            page.keyboard.press("Escape")
            gloss.wait_for(state="hidden", timeout=5_000)
            press(".dgs-control-close-page")
            panel.wait_for(state="hidden", timeout=15_000)
            if layout.narrow:
                press(".dgs-drawer-toggle")
        assert page.watch.console_errors == []
    finally:
        context.close()
