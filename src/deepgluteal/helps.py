"""What helps: the sources of each point, and the model's picture of recovery.

The "What can help" page (``text.sections("helps")``) lists what a physiotherapist and a doctor
do for deep gluteal syndrome; :data:`REFERENCES` gives the rows of ``data/references.csv`` behind
each point. :func:`recovery_comparison` ties it to the mechanics: the same walking scenario
with strength back (gluteus medius and maximus at 100 %), with the knee in line (valgus 0), and
with both. It is the model's picture of a typical person, not a prediction for anyone.
"""

from __future__ import annotations

import html
from dataclasses import replace

from deepgluteal import text
from deepgluteal.model import simulate
from deepgluteal.scenario import Scenario

REFERENCES = {
    "explain": ("louw2016", "hernando2015"),
    "load": ("hernando2015", "carro2016"),
    "strength": ("tonley2010", "khayambashi2012", "powers2010"),
    "knee": ("tonley2010", "powers2010"),
    "nerve": ("basson2017",),
    "injection": ("fishman2002", "hernando2015", "martin2011"),
}
"""Keys of ``data/references.csv`` behind each section of the "What can help" page."""

CASES = ("now", "strength", "knee", "both")
"""Rows of the comparison: the state shown, strength back, knee in line, both."""


def recovery_comparison(scenario: Scenario) -> dict[str, dict[str, float]]:
    """The model's walking stance now and after recovery, against healthy walking.

    Parameters
    ----------
    scenario : Scenario
        The state shown; a static task is compared in walking (the comparison is about a step).

    Returns
    -------
    dict
        For each of :data:`CASES`: ``mean_load_ratio`` and ``peak_load_ratio`` (deep-rotator
        force over the stance / healthy, average and peak) and ``narrowest_clearance_mm``
        (smallest room for the nerve over the stance, mm).
    """
    walking = replace(scenario, task="walking", stance_pct=None)
    cases = {
        "now": walking,
        "strength": replace(walking, glute_med_strength=1.0, glute_max_strength=1.0,
                            abductor_compensation=False),
        "knee": replace(walking, valgus_deg=0.0),
        "both": replace(walking, glute_med_strength=1.0, glute_max_strength=1.0,
                        valgus_deg=0.0, abductor_compensation=False),
    }
    rows = {}
    for name, case in cases.items():
        result = simulate(case)
        rows[name] = {"mean_load_ratio": float(result.deep_rotator_mean_load_ratio),
                      "peak_load_ratio": float(result.deep_rotator_peak_load_ratio),
                      "narrowest_clearance_mm": float(result.space.narrowest_clearance_mm.min())}
    return rows


def comparison_html(rows: dict[str, dict[str, float]], lang: str = "en",
                    static_task: bool = False) -> str:
    """The comparison as an HTML table with its heading and the words that frame it."""
    t = lambda key: html.escape(text.message(key, lang))  # noqa: E731

    def number(value, digits):
        return html.escape(text.format_number(value, digits, lang))

    head = "".join(f"<th>{t('helps.compare_' + name)}</th>" for name in CASES)
    body = []
    for label, key, digits in (("helps.compare_mean", "mean_load_ratio", 2),
                               ("helps.compare_peak", "peak_load_ratio", 2),
                               ("helps.compare_room", "narrowest_clearance_mm", 1)):
        cells = "".join(f"<td>{number(rows[name][key], digits)}</td>" for name in CASES)
        body.append(f"<tr><th scope='row'>{t(label)}</th>{cells}</tr>")
    note = f"<p>{t('helps.compare_static')}</p>" if static_task else ""
    return (f"<section class='dgs-helps-comparison'><h3>{t('helps.compare_heading')}</h3>"
            f"<p>{t('helps.compare_intro')}</p>{note}"
            f"<table><tr><th></th>{head}</tr>{''.join(body)}</table></section>")


def references_html(section: str) -> str:
    """The sources of one section, as a short line of reference keys with their titles."""
    rows = text.references()
    items = [f"<abbr title='{html.escape(rows[key]['title'], quote=True)}'>{key}</abbr>"
             for key in REFERENCES[section]]
    return f"<p class='dgs-helps-sources'>[{'; '.join(items)}]</p>"


def helps_html(lang: str = "en") -> str:
    """The whole "What can help" text, every section with its sources (for notebooks)."""
    parts = [f"<h2>{html.escape(text.message('helps.title', lang))}</h2>"]
    for name, (heading, paragraphs) in zip(text.PAGES["helps"], text.sections("helps", lang),
                                           strict=True):
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        parts.append(references_html(name))
    return "".join(parts)
