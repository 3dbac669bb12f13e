"""One scene: the three views of the dashboard, their figures and rasterizers, drawing one state.

The dashboard, the handout and ``make figures`` draw a state the same way: the model's side
makes its :class:`~deepgluteal.views.picture.Picture` (:func:`deepgluteal.picture_data.picture`)
and :func:`deepgluteal.views.picture.draw` puts it on the views.

Figures are rendered by Agg (their static parts once, changes blitted) and encoded as JPEG for
the page (:class:`deepgluteal.views.render.Rasterizer`).
"""

from __future__ import annotations

import io
from datetime import date

from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure

from deepgluteal import text
from deepgluteal.picture_data import State, anatomy, picture
from deepgluteal.views import display, style
from deepgluteal.views.frontal import FrontalView, frontal_labels
from deepgluteal.views.handout import handout_page
from deepgluteal.views.loads import LoadsView
from deepgluteal.views.picture import Picture, draw
from deepgluteal.views.posterior import PosteriorView, posterior_labels
from deepgluteal.views.render import Rasterizer

FIGURE_PIXELS = {"posterior": (460, 455), "frontal": (200, 455), "loads": (320, 210)}
"""Each view's size on the page, in CSS pixels."""
DPI = 100


def posterior_view(ax, **options) -> PosteriorView:
    """A :class:`~deepgluteal.views.posterior.PosteriorView` with the model's anatomy (relaxed
    standing until its first update); ``options`` as the view takes them."""
    return PosteriorView(ax, anatomy().posterior, **options)


def frontal_view(ax, **options) -> FrontalView:
    """A :class:`~deepgluteal.views.frontal.FrontalView` with the body's proportions."""
    return FrontalView(ax, anatomy().leg, **options)


def _figure(name: str, pixel_ratio: int) -> Figure:
    """A figure of the view's size in CSS pixels, drawn at ``pixel_ratio`` device pixels each."""
    width, height = FIGURE_PIXELS[name]
    return Figure(figsize=(width / DPI, height / DPI), dpi=DPI * pixel_ratio,
                  facecolor=style.FIGURE_FACE)


class Scene:
    """The dashboard's three views for one language and screen.

    Parameters
    ----------
    lang : str
        Language of the views' words.
    pixel_ratio : int
        Device pixels per CSS pixel (1 or 2).
    projector : bool
        Larger words, thicker lines and a stronger ghost (:func:`display.for_projector`).
    """

    names = tuple(FIGURE_PIXELS)

    def __init__(self, lang: str = "en", pixel_ratio: int = 1, projector: bool = False):
        self.lang = lang
        posterior = _figure("posterior", pixel_ratio)
        frontal = _figure("frontal", pixel_ratio)
        frontal.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.9)
        loads = _figure("loads", pixel_ratio)
        self.views = {
            "posterior": posterior_view(posterior.add_axes((0, 0, 1, 1)),
                                        labels=posterior_labels(lang), panel=False),
            "frontal": frontal_view(frontal.add_subplot(), labels=frontal_labels(lang)),
            "loads": LoadsView(
                loads, labels={group: text.message(f"group.{group}_short", lang)
                               for group in ("deep_rotators", "glute_med_min", "glute_max")},
                text={"now_title": text.message("figure.loads_now", lang),
                      "stance_title": text.message("figure.loads_stance", lang),
                      "xlabel": text.message("figure.loads_xlabel_short", lang),
                      "ylabel": text.message("figure.loads_ylabel_activation", lang),
                      "healthy": text.message("figure.loads_ghost", lang),
                      "static_note": text.message("figure.loads_static", lang)}),
        }
        if projector:
            display.for_projector(posterior, ghosts=self.views["posterior"].ghost_artists)
            display.for_projector(frontal, faint_ghosts=self.views["frontal"].ghost_artists)
            display.for_projector(loads, faint_ghosts=self.views["loads"].ghost_artists)
        jpeg = display.jpeg_settings(pixel_ratio)
        self.rasterizers = {name: Rasterizer(figure, self.views[name].dynamic_artists, jpeg)
                            for name, figure in (("posterior", posterior),
                                                 ("frontal", frontal), ("loads", loads))}

    def picture(self, drawn: State) -> Picture:
        """What the views show of a state, in this scene's language."""
        return picture(drawn, self.lang)

    def draw(self, name: str, shown: Picture) -> bytes:
        """One view of one state, as JPEG."""
        draw(shown, **{name: self.views[name]})
        return self.rasterizers[name].render_jpeg()


def handout_figure(drawn: State, narrative, settings, lang="en", today: date | None = None,
                   link: str | None = None, qr_modules=None) -> Figure:
    """The patient's handout of a state, as a matplotlib figure (A4 portrait); the other
    parameters as :func:`deepgluteal.views.handout.handout_page` takes them."""
    figure, views = handout_page(anatomy(), narrative, settings, lang, today, link, qr_modules)
    draw(picture(drawn, lang), **views)
    return figure


def handout_pdf(drawn: State, narrative, settings, lang="en", today: date | None = None,
                link: str | None = None, qr_modules=None) -> bytes:
    """The handout as PDF bytes (text stays text, so it can be searched and read aloud)."""
    figure = handout_figure(drawn, narrative, settings, lang, today, link, qr_modules)
    out = io.BytesIO()
    FigureCanvasPdf(figure).print_pdf(out, metadata={"Title": text.message("handout.heading",
                                                                           lang)})
    return out.getvalue()
