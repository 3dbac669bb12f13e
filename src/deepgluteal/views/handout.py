"""The patient's handout: one A4 page with the picture, the words and the red flags."""

from __future__ import annotations

import textwrap
from datetime import date

import numpy as np
from matplotlib.figure import Figure

from deepgluteal import text
from deepgluteal.views import style
from deepgluteal.views.frontal import FrontalView, frontal_labels
from deepgluteal.views.posterior import PosteriorView, posterior_labels

A4_INCHES = (8.27, 11.69)


def _wrapped(lines, width):
    return "\n".join(textwrap.fill(line, width) for line in lines)


def handout_page(anatomy, narrative, settings, lang="en", today: date | None = None,
                 link: str | None = None, qr_modules=None):
    """The handout page (A4 portrait) with its views still to be drawn.

    Parameters
    ----------
    anatomy : deepgluteal.views.picture.Anatomy
        The fixed parts of the views.
    narrative : list of str
        Patient sentences describing the state.
    settings : list of str
        The settings, already worded (``"Knee valgus, degrees: 12"``).
    lang : str
        Catalogue language of the fixed text.
    today : datetime.date, optional
        Date printed on the page (default: today).
    link : str, optional
        The address that opens this state again; printed with its QR code ``qr_modules``
        (a boolean array, True = dark) when given. Without it the page says nothing of a link.

    Returns
    -------
    (matplotlib.figure.Figure, dict)
        The page, and its ``posterior`` and ``frontal`` views for
        :func:`deepgluteal.views.picture.draw` to show the state on.
    """
    today = today or date.today()
    t = lambda key, **values: text.message(key, lang, **values)  # noqa: E731
    figure = Figure(figsize=A4_INCHES, facecolor="white")
    figure.text(0.06, 0.965, t("handout.heading"), fontsize=17, weight="bold", color=style.INK,
                va="top")
    figure.text(0.06, 0.94, f"{t('handout.date_label')}: {today.isoformat()}", fontsize=10,
                color=style.MUTED_INK, va="top")
    figure.text(0.06, 0.922, t("handout.disclaimer"), fontsize=10, color=style.ACCENT,
                va="top", weight="bold")
    figure.text(0.06, 0.905, t("handout_words.typical"), fontsize=9, color=style.MUTED_INK,
                va="top")
    # The view's own title would run into its top labels in this wide, low box: it goes on
    # one line above the box instead.
    labels = posterior_labels(lang)
    figure.text(0.06, 0.889, labels.pop("title"), fontsize=9.5, weight="bold", color=style.INK,
                va="top")
    views = {"posterior": PosteriorView(figure.add_axes((0.04, 0.57, 0.6, 0.305)),
                                        anatomy.posterior, labels=labels | {"title": ""},
                                        panel=False),
             "frontal": FrontalView(figure.add_axes((0.66, 0.585, 0.3, 0.272)), anatomy.leg,
                                    labels=frontal_labels(lang))}
    figure.text(0.06, 0.565, t("handout.what_it_shows"), fontsize=12, weight="bold",
                color=style.INK, va="top")
    figure.text(0.06, 0.545, _wrapped(narrative, 100), fontsize=9, color=style.INK, va="top",
                linespacing=1.3)
    words = [f"{term}: {explanation}"
             for term, explanation in text.terms_used(narrative, lang).items()]
    if words:
        figure.text(0.56, 0.38, t("handout.words_label"), fontsize=11, weight="bold",
                    color=style.INK, va="top")
        figure.text(0.56, 0.362, _wrapped(words[:5], 62), fontsize=7.5, color=style.MUTED_INK,
                    va="top", linespacing=1.25)
    figure.text(0.06, 0.38, t("handout.settings_label"), fontsize=11, weight="bold",
                color=style.INK, va="top")
    figure.text(0.06, 0.362, _wrapped(settings, 60), fontsize=8.5, color=style.MUTED_INK,
                va="top", linespacing=1.3)
    # What can help: the headings of the page of the same name (issue #11).
    helps = [f"• {heading}" for heading, _ in text.sections("helps", lang)]
    figure.text(0.06, 0.278, t("handout_words.helps_heading"), fontsize=11, weight="bold",
                color=style.INK, va="top")
    figure.text(0.06, 0.26, "\n".join(helps[:3]), fontsize=8, color=style.INK, va="top",
                linespacing=1.3)
    figure.text(0.33, 0.26, "\n".join(helps[3:]), fontsize=8, color=style.INK, va="top",
                linespacing=1.3)
    # Every red flag: the source text's three first, then the standard ones.
    flags = [f"• {sign} {action}" for sign, action in text.red_flags(lang)]
    extra = [f"• {sign} {action}" for sign, action in text.red_flags(lang, extra=True)]
    figure.text(0.06, 0.2, t("red_flags.heading"), fontsize=11, weight="bold",
                color=style.ACCENT, va="top")
    figure.text(0.06, 0.182, _wrapped(flags, 120) + "\n" + t("handout_words.red_flags_more")
                + "\n" + _wrapped(extra, 120), fontsize=7.5, color=style.INK, va="top",
                linespacing=1.25)
    figure.text(0.06, 0.018, t("handout.keep_in_mind"), fontsize=8, color=style.MUTED_INK)
    if link and qr_modules is not None:
        _draw_link(figure, link, qr_modules, lang)
    return figure, views


def _draw_link(figure: Figure, link: str, qr_modules, lang: str) -> None:
    """The link to this state and its QR code, in the top right corner of the page."""
    t = lambda key: text.message(key, lang)  # noqa: E731
    size_in = 0.95  # about 2.4 cm: a phone reads it from a sheet on a table
    width, height = A4_INCHES
    right = 0.955
    qr = figure.add_axes((right - size_in / width, 0.992 - size_in / height, size_in / width,
                          size_in / height))
    # "none": the modules go into the PDF as they are, sharp at any zoom or printer
    qr.imshow(np.kron(qr_modules, np.ones((8, 8))), cmap="gray_r", interpolation="none",
              vmin=0, vmax=1)
    qr.set_axis_off()
    words_right = right - size_in / width - 0.01
    figure.text(words_right, 0.975, t("link.handout_label"), fontsize=11, weight="bold",
                color=style.INK, va="top", ha="right")
    figure.text(words_right, 0.957, "\n".join(textwrap.wrap(t("link.handout_scan"), 34)),
                fontsize=8, color=style.MUTED_INK, va="top", ha="right", linespacing=1.2)
    figure.text(words_right, 0.932, "\n".join(textwrap.wrap(link, 44, break_on_hyphens=False)),
                fontsize=7.5, color=style.INK, va="top", ha="right", family="monospace",
                linespacing=1.2)
