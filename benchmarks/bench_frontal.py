"""Frontal view: time to move the leg and produce the dashboard's picture (Agg, blitted, JPEG)."""

from __future__ import annotations

import itertools

from matplotlib.figure import Figure
from timing import median_ms, write_result

from deepgluteal.picture_data import stance_leg_outline
from deepgluteal.scene import frontal_view
from deepgluteal.views.render import Rasterizer


def main() -> None:
    figure = Figure(figsize=(2.0, 4.55), dpi=100)
    view = frontal_view(figure.add_subplot())
    rasterizer = Rasterizer(figure, view.dynamic_artists)
    angles = itertools.cycle(range(0, 26))

    def move(valgus_deg):
        view.update(stance_leg_outline(5.0, valgus_deg, 0.0), knee_valgus_deg=valgus_deg)

    def full_draw():
        move(next(angles))
        rasterizer.canvas.draw()

    def blitted_picture():
        move(next(angles))
        rasterizer.render_jpeg()

    result = {"frontal_update_and_full_draw": median_ms(full_draw),
              "frontal_update_blit_and_jpeg": median_ms(blitted_picture)}
    for name, timing in result.items():
        print(f"{name:32s} median {timing['median_ms']} ms")
    write_result("frontal", result)


if __name__ == "__main__":
    main()
