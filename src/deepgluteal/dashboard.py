"""The dashboard: wires ipywidgets controls to the model and the views. No science here.

Every control carries the CSS class ``dgs-control-<name>`` and every figure's container the
class ``dgs-figure-<name>``; tests and benchmarks find the page's parts by these names.
"""

from __future__ import annotations

import ipywidgets as widgets
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure

from deepgluteal.views import style
from deepgluteal.views.frontal import FrontalView


def figure_canvas(figure: Figure, name: str) -> Canvas:
    """An ipympl canvas widget for ``figure``, without pyplot's global figure registry."""
    canvas = Canvas(figure)
    FigureManager(canvas, num=id(figure))
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    canvas.capture_scroll = False
    canvas.add_class(f"dgs-figure-{name}")
    return canvas


def _control(widget: widgets.Widget, name: str) -> widgets.Widget:
    widget.add_class(f"dgs-control-{name}")
    return widget


class Dashboard:
    """Controls and views, synchronised on one state."""

    def __init__(self):
        self.valgus = _control(
            widgets.IntSlider(value=0, min=0, max=25, step=1, description="Knee valgus (°)",
                              continuous_update=True,
                              style={"description_width": "initial"},
                              layout=widgets.Layout(width="360px")),
            "valgus")
        figure = Figure(figsize=(3.6, 5.0), dpi=100, facecolor=style.FIGURE_FACE)
        figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.92)
        self.frontal = FrontalView(figure.add_subplot())
        self.frontal_canvas = figure_canvas(figure, "frontal")
        self.valgus.observe(self._on_change, names="value")
        self._redraw()
        self.widget = widgets.VBox([self.valgus, self.frontal_canvas])
        self.widget.add_class("dgs-dashboard")

    def _on_change(self, _change) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self.frontal.update(hip_adduction_deg=0.0, knee_valgus_deg=self.valgus.value)
        self.frontal_canvas.draw_idle()


def build_dashboard() -> widgets.Widget:
    """The dashboard's top-level widget, ready to display."""
    return Dashboard().widget
