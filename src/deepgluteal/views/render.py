"""Pixels for the dashboard: static parts drawn once, only what changes redrawn.

Agg spends most of a full redraw on ticks, labels and outlines that never change. A
:class:`Rasterizer` draws them once into a saved background and, on each change, restores that
background and draws only the view's dynamic artists onto it (blitting).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image


class Rasterizer:
    """Renders ``figure`` with Agg, blitting ``dynamic_artists`` over a cached background.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    dynamic_artists : sequence of matplotlib.artist.Artist
        Artists that change between frames; everything else is background.
    jpeg : mapping, optional
        ``quality`` and ``subsampling`` for :func:`jpeg_bytes` (by default its own).
    """

    def __init__(self, figure: Figure, dynamic_artists, jpeg=None):
        self.figure = figure
        self.jpeg = dict(jpeg or {})
        self.canvas = FigureCanvasAgg(figure)
        self.dynamic_artists = list(dynamic_artists)
        for artist in self.dynamic_artists:
            artist.set_animated(True)
        self._background = None

    def invalidate(self) -> None:
        """Forget the background, e.g. after a static text changed (language)."""
        self._background = None

    def render_rgba(self) -> np.ndarray:
        """The current frame, shape (height, width, 4), uint8 (a view of the canvas buffer)."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic_artists:
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def render_jpeg(self) -> bytes:
        """The current frame as JPEG bytes (see :func:`jpeg_bytes`)."""
        return jpeg_bytes(self.render_rgba(), **self.jpeg)


def jpeg_bytes(rgba: np.ndarray, quality: int = 90, subsampling: int = 0) -> bytes:
    """JPEG encoding of an opaque RGBA frame, by default without chroma subsampling.

    Measured on this project's figures: 0.75 ms for the 460x455 posterior view against 7 ms
    for PNG at its fastest compression; at quality 90 with full-resolution colour the line art
    and text show no visible ringing. The encoder reads the canvas in place, its alpha byte as
    padding (copying out the RGB channels first took longer than encoding).

    Parameters
    ----------
    rgba : numpy.ndarray
        Shape (height, width, 4), uint8.
    quality : int
        JPEG quality, 1 to 95.
    subsampling : int
        Pillow's chroma subsampling: 0 for 4:4:4 (colour at every pixel), 2 for 4:2:0 (colour
        at every second pixel each way).
    """
    rgba = np.ascontiguousarray(rgba)  # no copy for a canvas buffer
    height, width = rgba.shape[:2]
    out = io.BytesIO()
    Image.frombuffer("RGBX", (width, height), rgba, "raw", "RGBX", 0, 1).save(
        out, format="jpeg", quality=quality, subsampling=subsampling)
    return out.getvalue()
