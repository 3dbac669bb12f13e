"""From the model to what the views draw: the adapter between ``deepgluteal.model`` and
``deepgluteal.views``.

The views import no model module: whatever they need (the space's geometry, the leg's joint
positions, the fixed anatomy, normal ranges, the nerve variants) is computed here and handed
to them as plain data (:class:`deepgluteal.views.picture.Picture` for one state,
:class:`deepgluteal.views.picture.Anatomy` for what never changes).

A state is a scenario at one instant; :func:`state` runs the model for it and for its healthy
reference, the only place the pictures' healthy reference is computed.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np

from deepgluteal import text
from deepgluteal.datafiles import read_csv_columns
from deepgluteal.frames import hip_centre_in_pelvis_m
from deepgluteal.model import Result, simulate
from deepgluteal.muscles import tibia_in_femur
from deepgluteal.scenario import Scenario
from deepgluteal.space import (
    healthy_reference,
    nerve_variant_table,
    normal_ranges,
    space_parameters,
)
from deepgluteal.views.frontal import LegAnatomy
from deepgluteal.views.picture import Anatomy, Picture
from deepgluteal.views.posterior import PosteriorAnatomy

GROUPS = ("deep_rotators", "glute_med_min", "glute_max")


class State(NamedTuple):
    """A scenario's result, its healthy reference, and the instant shown."""

    result: Result
    healthy: Result
    index: int


@lru_cache(maxsize=32)
def simulated(scenario: Scenario) -> Result:
    """The model's answer for a scenario (cached: presets, Play and the healthy reference of
    every state of a session revisit the same scenarios)."""
    return simulate(scenario)


def instant_index(result: Result, stance_pct: float) -> int:
    """Index of the instant nearest to ``stance_pct`` (0 for a static task)."""
    if len(result.stance_pct) == 1:
        return 0
    return int(abs(result.stance_pct - stance_pct).argmin())


def state(scenario: Scenario, stance_pct: float) -> State:
    """The scenario and its healthy reference (same person and task, healthy movement), at
    the instant nearest to ``stance_pct``."""
    result = simulated(scenario)
    return State(result, simulated(scenario.healthy()), instant_index(result, stance_pct))


def group_effort_pct(result: Result) -> dict[str, np.ndarray]:
    """Each group's force as a percentage of what it can produce (its activation)."""
    return {group: 100 * getattr(result, f"{group}_activation") for group in GROUPS}


def frontal_note(task: str, lang: str) -> str:
    """Words over the standing-leg drawing when the leg does not stand."""
    return text.message(f"figure.frontal_note_{task}", lang) if task in ("sitting", "fair") else ""


def picture(drawn: State, lang: str) -> Picture:
    """Everything the three views show of one state (computes the deep gluteal space of the
    state and of its healthy reference on first use)."""
    result, healthy, index = drawn
    scenario = result.scenario
    hip_adduction_deg = float(result.hip_adduction_deg[index])
    pelvic_drop_deg = float(result.pelvic_drop_deg[index])
    return Picture(
        space=result.space, ghost=healthy.space, index=index,
        activation=dict(zip(result.muscle_names, result.activation[index], strict=True)),
        pose=stance_leg_outline(hip_adduction_deg, scenario.valgus_deg, pelvic_drop_deg),
        knee_valgus_deg=scenario.valgus_deg, pelvic_drop_deg=pelvic_drop_deg,
        note=frontal_note(scenario.task, lang),
        stance_pct=result.stance_pct, effort_pct=group_effort_pct(result),
        healthy_effort_pct=group_effort_pct(healthy))


@cache
def anatomy() -> Anatomy:
    """The fixed parts of the views: relaxed standing, normal ranges, nerve variants, the leg's
    proportions."""
    ischiofemoral = normal_ranges()["ischiofemoral"]
    posterior = PosteriorAnatomy(
        standing=healthy_reference("A"), standing_of=healthy_reference,
        ischiofemoral_normal_mm=(ischiofemoral.low_mm, ischiofemoral.high_mm),
        nerve_variants=nerve_variant_table(),
        nerve_width_mm=space_parameters()["nerve_width_mm"])
    leg = LegAnatomy(healthy_pose=stance_leg_outline(0.0, 0.0, 0.0),
                     midline=-half_hip_distance(),
                     floor=-_proportion("thigh_length") - _proportion("shank_length") - 0.045,
                     foot_length=_proportion("foot_length"))
    return Anatomy(posterior=posterior, leg=leg)


# ----------------------------------------------------------------- the standing leg

def _proportion(name: str) -> float:
    table = read_csv_columns("anthropometry.csv")
    return float(table["fraction_of_height"][table["quantity"].index(name)])


@cache
def half_hip_distance() -> float:
    """Half the distance between the hip centres, in body heights.

    gait2392's hip centre lies 83.5 mm from the midline and its knee 396 mm below the hip; the
    ratio is carried onto Winter's thigh length so that the drawing has one scale.
    """
    femur_length_m = -float(tibia_in_femur(np.array([0.0]))[0][0, 1])
    return float(hip_centre_in_pelvis_m()[2]) / femur_length_m * _proportion("thigh_length")


def stance_leg_outline(hip_adduction_deg, knee_valgus_deg, pelvic_drop_deg):
    """Joint positions of the leg drawing, in body heights, origin at the right hip centre.

    Parameters
    ----------
    hip_adduction_deg : float
        Adduction of the femur relative to the pelvis (deg); knee towards the midline.
    knee_valgus_deg : float
        Frontal-plane projection angle of the knee (deg); shank turned outwards from the
        thigh line.
    pelvic_drop_deg : float
        Drop of the opposite (left) side of the pelvis (deg).

    Returns
    -------
    dict
        ``hip_r``, ``hip_l``, ``knee``, ``ankle``, ``toe`` as (x, y) arrays; x is the
        patient's right as seen from behind.
    """
    thigh, shank = _proportion("thigh_length"), _proportion("shank_length")
    half_width = half_hip_distance()
    drop = np.radians(pelvic_drop_deg)
    # The femur hangs from a pelvis that is itself tilted by the drop.
    thigh_angle = np.radians(hip_adduction_deg) - drop
    shank_angle = thigh_angle - np.radians(knee_valgus_deg)
    hip_r = np.array([0.0, 0.0])
    hip_l = hip_r + 2 * half_width * np.array([-np.cos(drop), -np.sin(drop)])
    knee = hip_r + thigh * np.array([-np.sin(thigh_angle), -np.cos(thigh_angle)])
    ankle = knee + shank * np.array([-np.sin(shank_angle), -np.cos(shank_angle)])
    toe = ankle + np.array([0.0, -_proportion("ankle_height")])
    return {"hip_r": hip_r, "hip_l": hip_l, "knee": knee, "ankle": ankle, "toe": toe}
