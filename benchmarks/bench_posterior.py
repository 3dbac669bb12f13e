"""Posterior view of the deep gluteal space: redraw time after a change of state (Agg).

The figure is the canonical 1280 x 720 px export size. Each sample changes the state (posture,
activations: neutral and FAIR alternately), calls ``PosteriorView.update`` and redraws the
canvas as the dashboard does: the moving parts blitted over a background drawn once
(:class:`deepgluteal.views.render.Rasterizer`). Reported: the redraw alone (after one update;
the target is 15 ms), update + redraw, the update alone and the model call that produces the
state.
Writes ``benchmarks/results/posterior.json``.
"""

from __future__ import annotations

import itertools
import statistics
import time

from matplotlib.figure import Figure
from timing import median_ms, write_result

from deepgluteal.scene import posterior_view
from deepgluteal.space import deep_gluteal_space
from deepgluteal.views.render import Rasterizer

TARGET_MS = 15.0
REPEATS = 50


def _states():
    relaxed = {"peri_r": 0.05, "gem_r": 0.05, "quad_fem_r": 0.05}
    working = {"peri_r": 0.6, "gem_r": 0.5, "quad_fem_r": 0.3, "glut_med1_r": 0.4}
    return [(deep_gluteal_space(0.0, 0.0, 0.0, 0.0, relaxed, "A"), relaxed),
            (deep_gluteal_space(60.0, 20.0, 20.0, 90.0, working, "A"), working)]


def _redraw_after_update_ms(view, rasterizer, states) -> dict:
    cycle = itertools.cycle(states)
    for _ in range(3):
        space, activation = next(cycle)
        view.update(space, 0, activation)
        rasterizer.render_rgba()
    samples = []
    for _ in range(REPEATS):
        space, activation = next(cycle)
        view.update(space, 0, activation)
        start = time.perf_counter()
        rasterizer.render_rgba()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 3),
            "p95_ms": round(samples[int(0.95 * len(samples)) - 1], 3),
            "min_ms": round(samples[0], 3), "repeats": REPEATS}


def main() -> None:
    figure = Figure(figsize=(12.8, 7.2), dpi=100)
    view = posterior_view(figure.add_axes((0, 0, 1, 1)), ghost=True)
    rasterizer = Rasterizer(figure, view.dynamic_artists)
    states = _states()
    cycle = itertools.cycle(states)

    def update_and_draw():
        space, activation = next(cycle)
        view.update(space, 0, activation)
        rasterizer.render_rgba()

    def update_only():
        space, activation = next(cycle)
        view.update(space, 0, activation)

    def model_one_instant():
        deep_gluteal_space(60.0, 20.0, 20.0, 90.0, states[1][1], "B")

    result = {
        "figure_px": [1280, 720],
        "target_redraw_ms": TARGET_MS,
        "posterior_redraw_after_update": _redraw_after_update_ms(view, rasterizer, states),
        "posterior_update_and_draw": median_ms(update_and_draw, repeats=REPEATS),
        "posterior_update_only": median_ms(update_only, repeats=REPEATS),
        "deep_gluteal_space_one_instant": median_ms(model_one_instant, repeats=REPEATS),
    }
    redraw = result["posterior_redraw_after_update"]["median_ms"]
    result["meets_target"] = redraw <= TARGET_MS
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{key:34s} median {value['median_ms']:7.2f} ms   p95 {value['p95_ms']:7.2f} ms")
    print(f"redraw after one update: {redraw} ms (target {TARGET_MS} ms)")
    write_result("posterior", result)


if __name__ == "__main__":
    main()
