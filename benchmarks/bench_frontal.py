"""Frontal view: time to move the leg and redraw the figure with Agg (no browser)."""

from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from timing import median_ms, write_result

from deepgluteal.views.frontal import FrontalView


def main() -> None:
    figure = Figure(figsize=(3.6, 5.0), dpi=100)
    canvas = FigureCanvasAgg(figure)
    view = FrontalView(figure.add_subplot())
    angles = itertools.cycle(range(0, 26))

    def step():
        view.update(hip_adduction_deg=5.0, knee_valgus_deg=next(angles))
        canvas.draw()

    result = {"frontal_update_and_draw": median_ms(step)}
    median = result["frontal_update_and_draw"]["median_ms"]
    print(f"frontal view, update + Agg draw: median {median} ms")
    write_result("frontal", result)


if __name__ == "__main__":
    main()
