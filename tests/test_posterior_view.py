"""Tests of the posterior view: pictures against baselines, in-place updates, blitting.

Baselines live in ``tests/baseline/posterior_<state>.png`` (640 x 360 px, Agg). After an
intended change of the drawing, regenerate them with

    DGS_UPDATE_BASELINES=1 .venv/bin/pytest tests/test_posterior_view.py

look at the new PNGs, and commit them with the change.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402

from deepgluteal.figures import canonical_scenario, draw_state  # noqa: E402
from deepgluteal.model import simulate  # noqa: E402
from deepgluteal.scene import posterior_view  # noqa: E402
from deepgluteal.space import RELAXED, deep_gluteal_space  # noqa: E402
from deepgluteal.views.posterior import (  # noqa: E402
    MUSCLE_CMAP,
    NERVE_CMAP,
    SPACE_TITLES,
    posterior_labels,
)

BASELINE_DIR = Path(__file__).resolve().parent / "baseline"
BASELINE_DPI = 50
TOLERANCE_RMS = 4.0  # on 0-255; font rasterisation differs slightly between machines
COMPARED_STATES = ("healthy", "sitting", "variant_B")


def _pixels(figure):
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(float)


def _new_view():
    figure = Figure(figsize=(12.8, 7.2), dpi=50)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    return figure, posterior_view(ax, ghost=True)


def _state_space(name):
    """Space and activations of a canonical state at one instant (a one-instant result)."""
    scenario, _ = canonical_scenario(name)
    result = simulate(scenario)
    index = len(result.stance_pct) // 2
    space = deep_gluteal_space(result.hip_flexion_deg[index], result.hip_adduction_deg[index],
                               result.hip_rotation_deg[index], result.knee_flexion_deg[index],
                               {name: result.activation[index, i]
                                for i, name in enumerate(result.muscle_names)
                                if name in RELAXED}, scenario.nerve_variant)
    return space, dict(zip(result.muscle_names, result.activation[index], strict=True))


@pytest.mark.parametrize("name", COMPARED_STATES)
def test_picture_matches_baseline(name, tmp_path):
    figure, _ = draw_state(name)
    FigureCanvasAgg(figure)
    actual = tmp_path / f"posterior_{name}.png"
    figure.savefig(actual, dpi=BASELINE_DPI)
    expected = BASELINE_DIR / f"posterior_{name}.png"
    if os.environ.get("DGS_UPDATE_BASELINES"):
        BASELINE_DIR.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
        pytest.skip(f"baseline written: {expected}")
    assert expected.exists(), "no baseline: run DGS_UPDATE_BASELINES=1 pytest " + __file__
    result = compare_images(str(expected), str(actual), tol=TOLERANCE_RMS)
    assert result is None, result


def test_update_changes_the_pixels_and_adds_no_artists():
    figure, view = _new_view()
    before = _pixels(figure)
    children = len(view.ax.get_children()) + len(figure.get_children())
    artists = view.artists
    space, activation = _state_space("variant_D")
    view.update(space, 0, activation)
    after = _pixels(figure)
    assert len(view.ax.get_children()) + len(figure.get_children()) == children
    assert view.artists == artists
    changed = np.any(np.abs(after - before) > 30, axis=-1)
    assert changed.mean() > 0.01  # more than 1 % of the pixels


def test_view_shows_the_numbers_of_the_result():
    figure, view = _new_view()
    activation = dict(RELAXED, peri_r=0.6, gem_r=0.4)
    space = deep_gluteal_space(0.0, 0.0, 0.0, 0.0, activation, "A")
    view.update(space, 0, activation)
    clearance = space.narrowest_clearance_mm[0]
    assert clearance > 0
    assert view._dimension_value.get_text() == f"{clearance:.1f} mm room"
    assert view._dimension_name.get_text() == SPACE_TITLES[str(space.narrowest_space[0])]
    assert view._values[0].get_text() == f"{space.subpiriform_gap_mm[0]:.1f} mm"
    nerve_colour = view._nerve[0].get_facecolor()
    np.testing.assert_allclose(nerve_colour,
                               NERVE_CMAP(float(space.nerve_compression_index["tibial"][0])))
    np.testing.assert_allclose(view._bands["peri_r"].get_facecolor(), MUSCLE_CMAP(0.6))
    # The piriformis band is as wide as the model's loaded muscle (the same radius, in mm).
    band = view._bands["peri_r"].get_xy()[:-6]  # drop the rounded cap and the closing point
    k = len(band) // 2
    widths = np.hypot(*(band[:k] - band[k:][::-1]).T)
    assert widths.max() == pytest.approx(2 * space.muscle_radius_mm["peri_r"][0], rel=0.02)


def test_divided_nerve_shows_two_divisions():
    figure, view = _new_view()
    view.update(deep_gluteal_space(0.0, 0.0, 0.0, 0.0, RELAXED, "B"), 0, RELAXED)
    assert view._nerve[1].get_visible()
    view.update(deep_gluteal_space(0.0, 0.0, 0.0, 0.0, RELAXED, "A"), 0, RELAXED)
    assert not view._nerve[1].get_visible()


def test_compact_layout_speaks_the_catalogue_language():
    figure = Figure(figsize=(4.8, 4.7), dpi=100)
    FigureCanvasAgg(figure)
    view = posterior_view(figure.add_axes((0, 0, 1, 1)), labels=posterior_labels("es"),
                          panel=False)
    space, activation = _state_space("valgus")
    healthy, _ = _state_space("healthy")
    view.update(space, 0, activation, ghost=healthy)
    texts = [t.get_text() for t in view.ax.texts]
    assert posterior_labels("es")["piriformis"] in texts
    assert "Piriformis" not in texts
    assert view._dimension_value.get_text() == f"{space.narrowest_clearance_mm[0]:.1f} mm"
    figure.canvas.draw()


def test_dynamic_artists_are_enough_for_external_blitting():
    # The dashboard blits: background drawn once without the dynamic artists, then only
    # those redrawn. The result must equal a full drawing of the new state.
    figure, view = _new_view()
    canvas = figure.canvas
    for artist in view.dynamic_artists:
        artist.set_animated(True)
    canvas.draw()
    background = canvas.copy_from_bbox(figure.bbox)
    space, activation = _state_space("variant_E")
    view.update(space, 0, activation)
    canvas.restore_region(background)
    for artist in view.dynamic_artists:
        figure.draw_artist(artist)
    blitted = np.asarray(canvas.buffer_rgba())[..., :3].astype(float).copy()
    reference_figure, reference_view = _new_view()
    reference_view.update(space, 0, activation)
    full = _pixels(reference_figure)
    assert np.sqrt(np.mean((blitted - full) ** 2)) < 2.0
