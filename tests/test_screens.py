"""Every screen, without a browser: text alternatives, pixel ratio, projector mode, and no
text on top of text in any picture the project draws (dashboard views, exported figures,
handout)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from text_layout import figure_text_problems

from deepgluteal import text
from deepgluteal.dashboard import Dashboard
from deepgluteal.figures import CANONICAL_STATES, draw_state
from deepgluteal.picture_data import state as picture_state
from deepgluteal.presets import presets
from deepgluteal.scene import handout_figure
from deepgluteal.views import display


@pytest.fixture(scope="module")
def dashboard():
    return Dashboard()


def test_pixel_ratio_accepts_only_what_it_can_draw():
    assert display.pixel_ratio("2") == 2
    assert display.pixel_ratio(3.0) == 2
    assert display.pixel_ratio(1.25) == 1
    for bad in ("banana", None, float("nan"), "-4", ""):
        assert display.pixel_ratio(bad) == 1


def test_ratio_2_draws_twice_the_pixels_with_the_same_layout(dashboard):
    import io

    from PIL import Image, JpegImagePlugin

    sizes = {}
    for name in dashboard.images:
        picture = Image.open(io.BytesIO(dashboard.images[name].value))
        sizes[name] = picture.size
        assert JpegImagePlugin.get_sampling(picture) == 0  # ratio 1: colour at every pixel
    dashboard.dpr.value = "2"
    try:
        for name, (width, height) in sizes.items():
            picture = Image.open(io.BytesIO(dashboard.images[name].value))
            assert picture.size == (2 * width, 2 * height)
            # colour at every CSS pixel still (2x2 device pixels each), in fewer bytes
            assert JpegImagePlugin.get_sampling(picture) == 2
            assert dashboard.images[name].layout.width == f"{width}px"  # CSS size unchanged
    finally:
        dashboard.dpr.value = "1"


@pytest.mark.parametrize("lang", text.LANGUAGES)
@pytest.mark.parametrize("projector", [False, True])
def test_no_text_on_text_in_the_dashboard_views(dashboard, lang, projector):
    dashboard.language.value = lang
    dashboard.projector.value = projector
    try:
        for preset in presets():
            dashboard.apply_preset(preset)
            for name, rasterizer in dashboard.scene.rasterizers.items():
                assert figure_text_problems(rasterizer.figure) == [], (lang, projector, preset,
                                                                       name)
    finally:
        dashboard.projector.value = False
        dashboard.language.value = "en"
        dashboard.apply_preset("healthy_walking")


def test_projector_mode_enlarges_words_and_darkens_the_healthy_ghost(dashboard):
    view = dashboard.scene.views["posterior"]
    normal_size = view.labels and max(
        t.get_fontsize() for t in dashboard.scene.rasterizers["posterior"].figure.texts +
        view.ax.texts)
    dashboard.projector.value = True
    try:
        view = dashboard.scene.views["posterior"]
        large = max(t.get_fontsize() for t in view.ax.texts)
        assert large > normal_size
        ghost = view.ghost_artists[0]
        assert ghost.get_color() == display.PROJECTOR_GHOST and ghost.get_alpha() == 1.0
        assert "dgs-projector" in dashboard.widget._dom_classes
    finally:
        dashboard.projector.value = False
    assert "dgs-projector" not in dashboard.widget._dom_classes


def test_projector_mode_from_a_shared_link():
    board = Dashboard()
    board.apply_query_string("display=projector")
    assert board.projector.value and board.notes == []
    board = Dashboard()
    board.apply_query_string("display=cinema")
    assert not board.projector.value
    assert any("display" in note for note in board.notes)


@pytest.mark.parametrize("name", CANONICAL_STATES)
def test_no_text_on_text_in_the_exported_figures(name):
    figure, _ = draw_state(name)
    assert figure_text_problems(figure) == []


@pytest.mark.parametrize("lang", text.LANGUAGES)
@pytest.mark.parametrize("preset", ["healthy_walking", "weak_glutes_valgus", "sitting"])
def test_no_text_on_text_in_the_handout(lang, preset):
    fields = presets()[preset]
    board = Dashboard(lang)
    board.apply_preset(preset)
    shown = picture_state(board.scenario(), board.stance.value)
    state = board.narrative_state(shown.result, shown.index)
    figure = handout_figure(shown,
                            narrative=text.narrative(state, lang, mode="patient"),
                            settings=board._settings_lines(), lang=lang, today=date(2026, 1, 1))
    assert figure_text_problems(figure) == [], (lang, preset, fields)


def _numbers(words: str) -> list[float]:
    return [float(n.replace(",", ".")) for n in re.findall(r"-?\d+(?:[.,]\d+)?", words)]


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_text_alternatives_follow_the_state_in_each_language(lang):
    board = Dashboard(lang)
    healthy = dict(board.alt_texts)
    board.apply_preset("weak_glutes_valgus")
    weak = dict(board.alt_texts)
    for name in ("posterior", "frontal", "loads"):
        assert weak[name] != healthy[name]
    result, _, index = picture_state(board.scenario(), board.stance.value)
    state = board.narrative_state(result, index)
    ratio = float(text.format_number(state.deep_rotator_load_ratio, 1, "en"))
    clearance = float(text.format_number(state.narrowest_clearance_mm, 1, "en"))
    assert ratio in _numbers(weak["posterior"]) and clearance in _numbers(weak["posterior"])
    assert 12 in _numbers(weak["frontal"])  # the knee's valgus, degrees
    effort = 100 * float(result.deep_rotators_activation[index])
    assert round(effort) in _numbers(weak["loads"])
    # what the page puts on the pictures
    for name in ("posterior", "frontal", "loads"):
        assert f'data-selector=".dgs-figure-{name}" data-attribute="alt"' in board.a11y.value
    board.apply_preset("sitting")
    assert text.message("figure.frontal_note_sitting", lang) in board.alt_texts["frontal"]


def test_every_control_has_a_name_for_screen_readers():
    board = Dashboard()
    for selector in (".dgs-control-play button:nth-of-type(1)",
                     ".dgs-control-play button:nth-of-type(2)",
                     ".dgs-control-play button:nth-of-type(3)",
                     ".dgs-control-valgus .noUi-handle", ".dgs-control-stance .noUi-handle"):
        assert f'data-selector="{selector}" data-attribute="aria-label"' in board.a11y.value
