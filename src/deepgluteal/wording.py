"""What the narrative is told about a state of the model, read from its :class:`Result`.

The words (``deepgluteal.text``) know nothing of the model; this module reads a result and
fills :class:`deepgluteal.text.NarrativeState`: the cursor instant's numbers, the same person's
healthy compression index at that instant, and, for walking, the whole stance (average, peak,
the phase where the deep rotators' load differs most from healthy, and which deep rotator
carries the change). Every statement the narrative makes about a muscle comes from here.
"""

from __future__ import annotations

import numpy as np

from deepgluteal import text
from deepgluteal.kinematics import model_constant

MUSCLE_OF_NAME = {"peri_r": "piriformis", "gem_r": "gemelli", "quad_fem_r": "quadratus_femoris"}
"""gait2392 deep rotators and the names the narrative gives them."""

CHANGE_BAND = 0.1
"""A deep rotator "works harder" or "less" when its load is at least 10 % above or below."""


def phase_of(stance_pct: float) -> str:
    """The part of stance a percentage falls in, one of :data:`deepgluteal.text.PHASES`."""
    if stance_pct < 100.0 / 3.0:
        return "early"
    return "mid" if stance_pct < 200.0 / 3.0 else "late"


def muscle_changes(result, index: int | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Deep rotators whose load is >= 10 % above and below healthy.

    Over the whole stance (its average) when ``index`` is None, else at that instant.
    """
    more, less = [], []
    for name, muscle in MUSCLE_OF_NAME.items():
        k = result.muscle_names.index(name)
        now, healthy = result.muscle_force_N[:, k], result.healthy_muscle_force_N[:, k]
        if index is None:
            now, healthy = now.mean(), healthy.mean()
        else:
            now, healthy = now[index], healthy[index]
        # The group's load-ratio floor (1 N) keeps nearly resting muscles at "the same".
        floor = model_constant("load_ratio_floor_N")
        ratio = (now + floor) / (healthy + floor)
        if ratio >= 1.0 + CHANGE_BAND:
            more.append(muscle)
        elif ratio <= 1.0 - CHANGE_BAND:
            less.append(muscle)
    return tuple(more), tuple(less)


def narrative_state(result, index: int) -> text.NarrativeState:
    """The :class:`~deepgluteal.text.NarrativeState` of a result at one instant."""
    space = result.space
    walking = result.scenario.task == "walking" and result.n_instants > 1
    stance = {}
    if walking:
        difference = np.abs(result.deep_rotators_force_N - result.healthy_deep_rotators_force_N)
        more, less = muscle_changes(result)
        stance = dict(
            stance_mean_load_ratio=float(result.deep_rotator_mean_load_ratio),
            stance_peak_load_ratio=float(result.deep_rotator_peak_load_ratio),
            stance_change_phase=phase_of(float(result.stance_pct[int(difference.argmax())])),
            muscles_more=more, muscles_less=less,
            stance_clearance_change_mm=float(np.mean(result.clearance_change_mm)))
    else:
        more, less = muscle_changes(result, index)
        stance = dict(muscles_more=more, muscles_less=less)
    healthy_index = result.healthy_compression_index
    return text.NarrativeState(
        task=result.scenario.task,
        valgus_deg=result.scenario.valgus_deg,
        glute_med_strength=result.scenario.glute_med_strength,
        glute_max_strength=result.scenario.glute_max_strength,
        deep_rotator_load_ratio=float(result.deep_rotator_load_ratio[index]),
        narrowest_clearance_mm=float(space.narrowest_clearance_mm[index]),
        clearance_change_mm=float(result.clearance_change_mm[index]),
        compression_index=float(space.compression_index_overall[index]),
        narrowest_space=str(space.narrowest_space[index]),
        nerve_variant=result.scenario.nerve_variant,
        unmet_moment_Nm=float(abs(result.unmet_moment_Nm[index]).max()),
        abductor_compensation=result.scenario.abductor_compensation,
        healthy_compression_index=float(min(healthy_index[min(index, len(healthy_index) - 1)],
                                            1.0)),
        **stance)
