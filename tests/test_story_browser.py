"""The guided story in the real dashboard: Next, Back and Leave by mouse, keyboard and touch, in
both languages; each step's state, pictures, caption and announcement arrive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import figure_sources, slider_value, text_of
from conftest import open_dashboard

from deepgluteal import story, text

pytestmark = pytest.mark.browser

# DGS_UPDATE_DOCS=1 saves the README's picture of the story (step 2, its link copied).
DOCS_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "story.png"
UPDATE_DOCS = os.environ.get("DGS_UPDATE_DOCS") == "1"

START = {"valgus": 0, "glute_med": 100, "glute_max": 100, "stance": 20, "task": "walking",
         "variant": "A", "compensation": False}

# Every picture the frontal view shows, to see the animation pass through intermediate states.
RECORD_FRAMES = """
window.dgsFrames = [];
new MutationObserver(() => {
  const image = document.querySelector('.dgs-figure-frontal');
  const source = image && image.getAttribute('src');
  if (source && window.dgsFrames[window.dgsFrames.length - 1] !== source) {
    window.dgsFrames.push(source);
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['src']});
"""


def arrive(page, step, lang, before: dict, previous_state: dict):
    """Wait for a step to be announced, then check its caption, state and pictures."""
    total = 7
    announced = text.message("story.step_of", lang, number=step.number, total=total)
    page.wait_for_function("prefix => document.querySelector('#dgs-live').textContent"
                           ".trim().startsWith(prefix)", arg=announced, timeout=60_000)
    live = page.locator("#dgs-live").inner_text()
    caption = text_of(page, ".dgs-panel-story")
    assert page.locator(".dgs-panel-story").first.is_visible()
    assert announced in caption
    for sentence in step.caption:
        assert sentence in " ".join(caption.split()), (step.number, sentence, caption)
        assert sentence in live
    end = step.end
    for name in ("valgus", "glute_med", "glute_max"):
        assert slider_value(page, name) == end[name], (step.number, name)
    task = page.locator(".dgs-control-task select").first
    assert task.evaluate("s => s.options[s.selectedIndex].text") == text.message(
        f"task.{end['task']}", lang)
    if end["task"] == "walking":
        assert slider_value(page, "stance") == end["stance"]
    now = figure_sources(page)
    if end != previous_state:
        assert now["posterior"] != before["posterior"], f"step {step.number}: same picture"
    return now


def walk(page, lang, forward, back):
    steps = story.plan(story.load_story(), START, lang)
    state, sources = dict(START), figure_sources(page)
    forward("story")
    sources = arrive(page, steps[0], lang, sources, START)
    state = steps[0].end
    for step in steps[1:]:
        page.evaluate("window.dgsFrames = []")
        forward("story-next")
        sources = arrive(page, step, lang, sources, state)
        if step.number == 2:  # the knee falls in through the degrees between
            assert len(page.evaluate("window.dgsFrames")) >= 4
            if UPDATE_DOCS and lang == "en":
                page.locator(".dgs-control-copy-link").first.click()
                page.wait_for_function("() => document.querySelector('.dgs-link-text')"
                                       ".textContent.includes('valgus=12')")
                page.screenshot(path=str(DOCS_SCREENSHOT))
        state = step.end
    assert page.locator(".dgs-control-story-next").first.is_disabled()
    assert "dgs-story-highlight" in page.locator(".dgs-panel-redflags").first.get_attribute(
        "class")
    for step in reversed(steps[:-1]):
        back("story-back")
        sources = arrive(page, step, lang, sources, state)
        state = step.end
    assert page.locator(".dgs-control-story-back").first.is_disabled()
    return steps


def click(page):
    return lambda name: page.locator(f".dgs-control-{name}").first.click()


def keyboard(page):
    def press(name):
        page.locator(f".dgs-control-{name}").first.focus()
        page.keyboard.press("Enter")
    return press


def tap(page):
    return lambda name: page.locator(f".dgs-control-{name}").first.tap()


def test_the_story_walks_forward_and_back_and_leaving_keeps_the_state(browser, voila_server):
    page, context = open_dashboard(browser, voila_server, "", RECORD_FRAMES)
    try:
        assert page.locator(".dgs-panel-story").first.is_hidden()
        assert page.locator(".dgs-control-story-next").first.is_hidden()
        steps = walk(page, "en", click(page), keyboard(page))
        # forward by keyboard to "both together", then leave: the picture stays
        for step in steps[1:4]:
            keyboard(page)("story-next")
            page.wait_for_function("prefix => document.querySelector('#dgs-live')"
                                   ".textContent.trim().startsWith(prefix)",
                                   arg=f"Step {step.number} of 7", timeout=60_000)
        click(page)("story-leave")
        page.wait_for_selector(".dgs-panel-story", state="hidden", timeout=15_000)
        page.wait_for_function("() => document.activeElement && document.activeElement"
                               ".classList.contains('dgs-control-story')", timeout=15_000)
        for name in ("valgus", "glute_med", "glute_max"):
            assert slider_value(page, name) == steps[3].end[name]
        page.wait_for_function("() => !document.querySelector('#dgs-live').textContent"
                               ".trim().startsWith('Step')", timeout=15_000)
        narrative = text_of(page, ".dgs-panel-narrative")
        assert page.locator(".dgs-panel-narrative").first.is_visible()
        assert "Everything is as in" not in narrative
        assert "harder" in narrative or "times as hard" in narrative
        assert page.locator(".dgs-presets").first.is_visible()
        assert page.watch.console_errors == []
    finally:
        context.close()


def test_the_story_in_spanish_by_touch(browser, voila_server):
    page, context = open_dashboard(browser, voila_server, "?lang=es", RECORD_FRAMES,
                                   has_touch=True)
    try:
        assert text.message("story.start", "es") in text_of(page, ".dgs-control-story")
        walk(page, "es", tap(page), tap(page))
        page.locator(".dgs-control-mode button").nth(1).tap()  # student mode adds numbers
        page.wait_for_function("() => document.querySelector('.dgs-panel-story')"
                               ".textContent.includes('Σ')", timeout=15_000)
    finally:
        context.close()
