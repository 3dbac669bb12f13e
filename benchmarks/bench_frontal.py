"""Frontal view: time to move the leg and produce the dashboard's picture (Agg, blitted, JPEG)."""

from __future__ import annotations

import itertools

from matplotlib.figure import Figure
from timing import median_ms, write_result

from deepgluteal.views.frontal import FrontalView
from deepgluteal.views.render import Rasterizer


def main() -> None:
    figure = Figure(figsize=(2.0, 4.55), dpi=100)
    view = FrontalView(figure.add_subplot())
    rasterizer = Rasterizer(figure, view.dynamic_artists)
    angles = itertools.cycle(range(0, 26))

    def full_draw():
        view.update(hip_adduction_deg=5.0, knee_valgus_deg=next(angles))
        rasterizer.canvas.draw()

    def blitted_picture():
        view.update(hip_adduction_deg=5.0, knee_valgus_deg=next(angles))
        rasterizer.render_jpeg()

    result = {"frontal_update_and_full_draw": median_ms(full_draw),
              "frontal_update_blit_and_jpeg": median_ms(blitted_picture)}
    for name, timing in result.items():
        print(f"{name:32s} median {timing['median_ms']} ms")
    write_result("frontal", result)


if __name__ == "__main__":
    main()
