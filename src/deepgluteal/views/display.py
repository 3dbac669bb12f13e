"""How a figure is drawn for the screen that shows it: pixel ratio and projector mode.

A projector shown at 1024x768 to the back of a lecture hall needs larger words, thicker lines
and a healthy ghost that does not wash out; a screen with two device pixels per CSS pixel
needs twice the pixels. Both are applied to finished figures, so the views keep one layout.
"""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from deepgluteal.views import style

PIXEL_RATIOS = (1, 2)
"""Device pixel ratios the dashboard draws for (a screen's ratio is rounded to the nearest;
3 and more are drawn at 2: no eye sees the difference at dashboard sizes)."""

PROJECTOR_TEXT_SCALE = 1.1
PROJECTOR_LINE_SCALE = 1.6
PROJECTOR_GHOST = style.PROJECTOR_GHOST


def pixel_ratio(value) -> int:
    """The drawing ratio for a screen's device pixel ratio (any number; bad input gives 1)."""
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        return 1
    if not ratio == ratio or ratio < 1.5:  # NaN, or below the halfway point
        return 1
    return 2


def jpeg_settings(ratio: int) -> dict:
    """JPEG quality and chroma subsampling of pictures drawn at a device pixel ratio.

    At ratio 2 one CSS pixel is 2x2 device pixels, so colour kept for every second device pixel
    each way (4:2:0) is still colour at every CSS pixel: the posterior view's picture is 104 kB
    at quality 85 against 147 kB (quality 90, 4:4:4), encoded in 3.5 ms against 5.8 ms, with no
    difference to be seen at its size on the screen. At ratio 1 the colour of thin lines and
    small text needs every pixel.
    """
    return {"quality": 85, "subsampling": 2} if ratio == 2 else {"quality": 90, "subsampling": 0}


def for_projector(figure, ghosts=(), faint_ghosts=()) -> None:
    """Larger text, thicker lines and a stronger healthy ghost, in place, before first drawing.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    ghosts : iterable of Artist
        Line-like outlines of the healthy state: drawn in :data:`PROJECTOR_GHOST`, opaque.
    faint_ghosts : iterable of Artist
        Healthy shapes drawn as faint fills of their group's colour: made twice as strong.
    """
    ghosts, faint_ghosts = list(ghosts), list(faint_ghosts)
    texts = [text for text in figure.findobj(Text) if text.get_text().strip()]
    normal = {text: text.get_fontsize() for text in texts}
    for text in texts:
        text.set_fontsize(normal[text] * PROJECTOR_TEXT_SCALE)
    _fit_inside(figure, normal)
    for line in figure.findobj(Line2D):
        line.set_linewidth(line.get_linewidth() * PROJECTOR_LINE_SCALE)
    for patch in figure.findobj(Patch):
        if patch.get_linewidth() and patch.get_edgecolor()[3] > 0:
            patch.set_linewidth(patch.get_linewidth() * PROJECTOR_LINE_SCALE)
    for artist in ghosts:
        artist.set_color(PROJECTOR_GHOST)
        artist.set_alpha(1.0)
    for artist in faint_ghosts:
        artist.set_alpha(min(1.0, 2.2 * (artist.get_alpha() or 1.0)))


def _fit_inside(figure, normal_sizes) -> None:
    """Give back, step by step down to their normal size, the enlargement of texts that no
    longer fit inside the figure or now run into another text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas if hasattr(figure.canvas, "get_renderer") else FigureCanvasAgg(figure)
    renderer = canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    texts = [text for text in normal_sizes if text.get_visible()]
    for _ in range(12):
        boxes = {text: text.get_window_extent(renderer) for text in texts}
        crowded = set()
        for text, box in boxes.items():
            if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height:
                crowded.add(text)
        items = list(boxes.items())
        for k, (a, box_a) in enumerate(items):
            for b, box_b in items[k + 1:]:
                if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1 and \
                        min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1:
                    crowded.update((a, b))
        shrinking = [text for text in crowded if text.get_fontsize() > normal_sizes[text] + 1e-6]
        if not shrinking:
            return
        for text in shrinking:
            text.set_fontsize(max(normal_sizes[text], text.get_fontsize() / 1.03))
