"""Words for what each picture of the dashboard shows, for screen readers (``alt`` text).

Each description follows the state the picture shows (the same numbers as the panel and the
narrative, at the same instant), in the catalogue's language. Pure functions of numbers: no
widgets, no matplotlib.
"""

from __future__ import annotations

from deepgluteal import text


def _when(task: str, stance_pct: float, lang: str) -> str:
    if task == "walking":
        return text.message("screens.when_stance", lang, stance=f"{stance_pct:.0f}")
    return text.message("screens.when_posture", lang,
                        task=text.message(f"task.{task}", lang))


def posterior_alt(state: text.NarrativeState, healthy: text.NarrativeState, stance_pct: float,
                  lang: str = "en") -> str:
    """Description of the posterior view: the deep rotators' load and the nerve's room.

    Parameters
    ----------
    state, healthy : deepgluteal.text.NarrativeState
        The state shown and the healthy state at the same instant.
    stance_pct : float
        Instant shown, % of stance (ignored for a static task).
    lang : str
        Catalogue language.
    """
    number = lambda value, digits: text.format_number(value, digits, lang)  # noqa: E731
    return text.message(
        "screens.posterior_alt", lang, when=_when(state.task, stance_pct, lang),
        ratio=number(state.deep_rotator_load_ratio, 1),
        clearance=number(state.narrowest_clearance_mm, 1),
        space=text.message(f"space.{state.narrowest_space}", lang),
        healthy=number(healthy.narrowest_clearance_mm, 1))


def frontal_alt(task: str, stance_pct: float, valgus_deg: float, hip_adduction_deg: float,
                pelvic_drop_deg: float, note: str, lang: str = "en") -> str:
    """Description of the standing-leg view: the angles it draws (degrees), or its note
    when the leg does not stand (sitting, the FAIR test)."""
    if note:
        return text.message("screens.frontal_alt_posture", lang, note=note)
    return text.message("screens.frontal_alt", lang, when=_when(task, stance_pct, lang),
                        valgus=_degrees(valgus_deg), thigh=_degrees(hip_adduction_deg),
                        drop=_degrees(pelvic_drop_deg))


def _degrees(value: float) -> str:
    """Whole degrees, signed, without a negative zero."""
    return f"{round(float(value)) + 0:d}"


def loads_alt(task: str, stance_pct: float, effort_pct: dict, healthy_effort_pct: dict,
              lang: str = "en") -> str:
    """Description of the loads chart: each group's effort now (% of its maximum) beside the
    healthy value, and what the stance-phase half shows.

    ``effort_pct`` and ``healthy_effort_pct`` map ``deep_rotators``, ``glute_med_min`` and
    ``glute_max`` to the effort at the instant shown (%).
    """
    def pct(values, group):
        return f"{float(values[group]):.0f}"

    words = text.message(
        "screens.loads_alt", lang, when=_when(task, stance_pct, lang),
        deep=pct(effort_pct, "deep_rotators"),
        deep_healthy=pct(healthy_effort_pct, "deep_rotators"),
        med=pct(effort_pct, "glute_med_min"),
        med_healthy=pct(healthy_effort_pct, "glute_med_min"),
        max=pct(effort_pct, "glute_max"), max_healthy=pct(healthy_effort_pct, "glute_max"))
    if task == "walking":
        words += " " + text.message("screens.loads_alt_stance", lang)
    return words
