"""Hip posture at each instant of a task: healthy pattern, plus what valgus and weak abductors add.

Angles follow OpenSim gait2392 (right hip): positive flexion, adduction and internal rotation.
Knee flexion is positive when the knee bends (gait2392's ``knee_angle_r`` is its negative).
Contralateral pelvic drop is positive when the pelvis on the swing side is lower (it is
``-pelvis_list`` of the walking trial).

References
----------
.. [1] OpenSim example data subject01_walk1 (gait2392 pipeline, opensim-org/opensim-models):
   one healthy adult, 72.6 kg, right-leg stance resampled to 51 points (``opensim_subject01``).
.. [2] Powers C.M. (2010) The influence of abnormal hip mechanics on knee injury: a biomechanical
   perspective. J Orthop Sports Phys Ther 40:42-51 (``powers2010``).
.. [3] Souza R.B., Powers C.M. (2009) Differences in hip kinematics, muscle strength, and muscle
   activation between subjects with and without patellofemoral pain. J Orthop Sports Phys Ther
   39:12-19 (``souza2009``).
.. [4] Pohl M.B. et al. (2015) Effects of a superior gluteal nerve block on hip and knee
   kinematics and kinetics during walking. J Athl Train 50:385 (``pohl2015``).
.. [5] Fishman L.M. et al. (2002) Piriformis syndrome: diagnosis, treatment, and outcome - a
   10-year study. Arch Phys Med Rehabil 83:295-301 (``fishman2002``).
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from deepgluteal.datafiles import read_csv_columns
from deepgluteal.scenario import SINGLE_LIMB_TASKS, TASKS, WEIGHT_BEARING_TASKS, Scenario

WALKING_FILE = "walking_right_stance.csv"
CONSTANTS_FILE = "model_constants.csv"


@cache
def _constants() -> dict[str, float]:
    table = read_csv_columns(CONSTANTS_FILE)
    return {name: float(value) for name, value in zip(table["name"], table["value"], strict=True)}


def model_constant(name: str) -> float:
    """A modelling constant from ``data/model_constants.csv`` (unit and source are in the table).

    Raises
    ------
    KeyError
        If the table has no constant of that name.
    """
    return _constants()[name]


def _read_only(array) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.flags.writeable = False
    return array


@cache
def walking_trial() -> dict[str, np.ndarray]:
    """Columns of the walking trial (right-leg stance, 51 instants), read-only float arrays.

    Keys are the CSV headers: ``stance_pct``, ``hip_flexion_deg``, ``hip_adduction_deg``,
    ``hip_rotation_deg``, ``knee_angle_deg`` (gait2392 sign, negative = flexed),
    ``pelvis_list_deg`` and the net hip moments ``hip_*_moment_Nm_per_kg``.

    References
    ----------
    .. [1] ``opensim_subject01``: OpenSim example data subject01_walk1, inverse kinematics and
       inverse dynamics (6 Hz low-pass), body mass 72.6 kg.
    """
    return {key: _read_only([float(v) for v in values])
            for key, values in read_csv_columns(WALKING_FILE).items()}


class Posture(NamedTuple):
    """Hip and knee posture at each instant, all shape ``(n,)``."""

    stance_pct: np.ndarray
    hip_flexion_deg: np.ndarray
    hip_adduction_deg: np.ndarray
    hip_rotation_deg: np.ndarray
    knee_flexion_deg: np.ndarray
    pelvic_drop_deg: np.ndarray


def valgus_hip_offsets_deg(valgus_deg):
    """Extra hip adduction and internal rotation that come with dynamic knee valgus.

    Dynamic valgus is hip adduction plus hip internal rotation plus knee abduction (Powers 2010);
    the split of a frontal-plane projection angle between the two hip angles is a teaching
    assumption (``data/model_constants.csv``): 0.5 deg of each per deg of valgus, so that 15 deg
    of valgus adds 7.5 deg of internal rotation, close to the 6.4 deg difference in peak hip
    internal rotation that Souza & Powers (2009) measured in women with patellofemoral pain.

    Parameters
    ----------
    valgus_deg : array_like
        Dynamic knee valgus, frontal-plane projection angle (deg).

    Returns
    -------
    tuple of numpy.ndarray
        ``(extra_adduction_deg, extra_internal_rotation_deg)``, same shape as the input.
    """
    valgus = np.asarray(valgus_deg, dtype=float)
    return (model_constant("valgus_hip_adduction_per_deg") * valgus,
            model_constant("valgus_hip_rotation_per_deg") * valgus)


def compensation_pelvic_drop_deg(glute_med_strength):
    """Extra contralateral pelvic drop when weak abductors let the pelvis fall (deg).

    ``10 deg x (1 - glute_med_strength)``: a teaching assumption for the uncompensated
    Trendelenburg pattern. Pohl et al. (2015) found that a nerve block that weakened the
    abductors did *not* change pelvic drop or hip adduction in walking, which is why the model
    only applies it when ``Scenario.abductor_compensation`` is switched on.

    Parameters
    ----------
    glute_med_strength : array_like
        Strength of gluteus medius and minimus, fraction of normal (1).

    Returns
    -------
    numpy.ndarray
        Extra pelvic drop (deg), equal to the extra stance-hip adduction it causes.
    """
    strength = np.asarray(glute_med_strength, dtype=float)
    return model_constant("compensation_pelvic_drop_per_lost_strength_deg") * (1.0 - strength)


@cache
def healthy_posture(task: str, stance_pct: float | None = None) -> Posture:
    """Healthy posture of a task (cached, read-only arrays).

    Walking is the trial's stance (51 instants, or one instant interpolated at ``stance_pct``).
    Static tasks have one instant, their angles from ``data/model_constants.csv`` and
    ``stance_pct`` NaN (they have no stance phase).

    Parameters
    ----------
    task : str
        One of :data:`deepgluteal.scenario.TASKS`.
    stance_pct : float or None
        Walking only: the instant (% of stance).

    Returns
    -------
    Posture
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}")
    if task == "walking":
        trial = walking_trial()
        pct = trial["stance_pct"]
        at = pct if stance_pct is None else np.array([float(stance_pct)])

        def column(key):
            return np.interp(at, pct, trial[key])

        return Posture(*(_read_only(a) for a in (
            at, column("hip_flexion_deg"), column("hip_adduction_deg"),
            column("hip_rotation_deg"), -column("knee_angle_deg"), -column("pelvis_list_deg"))))
    if stance_pct is not None:
        raise ValueError(f"stance_pct applies to task 'walking' only; got {stance_pct!r}")
    angles = [model_constant(f"{task}_{name}") for name in (
        "hip_flexion_deg", "hip_adduction_deg", "hip_rotation_deg", "knee_flexion_deg")]
    return Posture(*(_read_only([value]) for value in [np.nan, *angles, 0.0]))


def posture(scenario: Scenario) -> Posture:
    """Posture of the scenario's task at each instant, with valgus and compensation applied.

    In weight-bearing tasks (walking, single-leg stance, standing) valgus adds hip adduction and
    internal rotation (:func:`valgus_hip_offsets_deg`) at every instant. In single-limb tasks
    (walking, single-leg stance), if ``abductor_compensation`` is on, weak abductors add a
    contralateral pelvic drop and the same extra hip adduction
    (:func:`compensation_pelvic_drop_deg`). Sitting and the FAIR test position are passive
    postures: neither applies.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    Posture
        ``(stance_pct, hip_flexion_deg, hip_adduction_deg, hip_rotation_deg, knee_flexion_deg,
        pelvic_drop_deg)``, each shape ``(n,)``: n = 51 for walking (1 if
        ``scenario.stance_pct`` is set), 1 for static tasks.
    """
    base = healthy_posture(scenario.task, scenario.stance_pct)
    extra_add, extra_rot, extra_drop = 0.0, 0.0, 0.0
    if scenario.task in WEIGHT_BEARING_TASKS:
        extra_add, extra_rot = (float(v) for v in valgus_hip_offsets_deg(scenario.valgus_deg))
    if scenario.task in SINGLE_LIMB_TASKS and scenario.abductor_compensation:
        extra_drop = float(compensation_pelvic_drop_deg(scenario.glute_med_strength))
    if extra_add == extra_rot == extra_drop == 0.0:
        return base
    return Posture(
        base.stance_pct, base.hip_flexion_deg,
        _read_only(base.hip_adduction_deg + extra_add + extra_drop),
        _read_only(base.hip_rotation_deg + extra_rot),
        base.knee_flexion_deg,
        _read_only(base.pelvic_drop_deg + extra_drop))
