"""The whole chain: scenario -> posture -> muscle paths -> demand -> load sharing -> Result.

:func:`simulate` is pure: the same scenario always gives the same :class:`Result`, whose arrays
are read-only. What does not depend on the scenario (the muscle table, the healthy posture of
each task, the healthy baseline of each task, body mass and strength set) is cached.

References
----------
.. [1] Delp S.L. et al. (1990) IEEE Trans Biomed Eng 37:757-767 (``delp1990``), and the
   OpenSim gait2392 model (``opensim_gait2392``): muscle geometry and strengths.
.. [2] Pauwels F. (1965) (``pauwels1965``); Bergmann G. et al. (2016) Standardized loads acting
   in hip implants. PLoS One 11:e0155612 (``bergmann2016``): hip contact force ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from deepgluteal.demand import hip_demand_Nm, intersegmental_load_fraction
from deepgluteal.kinematics import healthy_posture, model_constant, posture
from deepgluteal.muscles import GROUPS, muscle_paths, muscle_table
from deepgluteal.scenario import Scenario
from deepgluteal.sharing import share_load
from deepgluteal.space import (
    LOADED_MUSCLES,
    OPTIONAL_MUSCLES,
    SpaceResult,
    deep_gluteal_space,
    healthy_reference,
)

FEASIBLE_TOLERANCE_NM = 1e-6
"""An instant counts as feasible when every component of the unmet moment is below this."""


@dataclass(frozen=True)
class Result:
    """Everything the model says about one scenario; ``n`` instants, ``m`` muscles.

    Arrays are read-only. Moment triples are ordered flexion, adduction, rotation (positive =
    flexor, adductor, internal rotator), as in OpenSim.
    """

    scenario: Scenario
    stance_pct: np.ndarray              # (n,) % of stance; NaN for static tasks
    hip_flexion_deg: np.ndarray         # (n,)
    hip_adduction_deg: np.ndarray       # (n,)
    hip_rotation_deg: np.ndarray        # (n,) positive = internal rotation
    knee_flexion_deg: np.ndarray        # (n,) positive = bent
    pelvic_drop_deg: np.ndarray         # (n,) contralateral drop, positive = swing side lower
    muscle_names: tuple[str, ...]       # (m,) gait2392 names
    muscle_labels: tuple[str, ...]      # (m,) plain names
    muscle_groups: tuple[str, ...]      # (m,)
    max_force_N: np.ndarray             # (m,) available maximum force: strength x Fmax
    muscle_length_m: np.ndarray         # (n, m) muscle-tendon path length
    moment_arm_m: np.ndarray            # (n, m, 3)
    demand_Nm: np.ndarray               # (n, 3) net moments the muscles must produce
    muscle_force_N: np.ndarray          # (n, m)
    activation: np.ndarray              # (n, m) force / available maximum force, 0..1
    muscle_moment_Nm: np.ndarray        # (n, m, 3) each muscle's contribution
    unmet_moment_Nm: np.ndarray         # (n, 3) demand the muscles cannot produce
    feasible: np.ndarray                # (n,) bool, |unmet| < 1e-6 N m
    deep_rotators_force_N: np.ndarray   # (n,) piriformis + gemelli + quadratus femoris
    glute_med_min_force_N: np.ndarray   # (n,)
    glute_max_force_N: np.ndarray       # (n,)
    deep_rotators_activation: np.ndarray  # (n,) group force / group available maximum force
    glute_med_min_activation: np.ndarray  # (n,)
    glute_max_activation: np.ndarray      # (n,)
    abductor_force_bw: np.ndarray       # (n,) total force of muscles with an abduction moment arm
    hip_contact_force_bw: np.ndarray    # (n,) hip joint contact force, body weights
    healthy_muscle_force_N: np.ndarray  # (n, m) same person and task, valgus 0, full strength
    healthy_activation: np.ndarray      # (n, m)
    healthy_deep_rotators_force_N: np.ndarray  # (n,)
    deep_rotator_load_ratio: np.ndarray  # (n,) deep-rotator force / healthy (1 N floor)
    deep_rotator_peak_load_ratio: float  # peak deep-rotator force / healthy peak
    deep_rotator_mean_load_ratio: float  # deep-rotator force averaged over the instants / healthy

    @property
    def n_instants(self) -> int:
        """Number of instants ``n``."""
        return self.stance_pct.shape[0]

    # The deep gluteal space is derived on first use: the muscle chain alone stays within its
    # time budget, and callers that need only forces (the command line) never pay for it.
    @cached_property
    def space(self) -> SpaceResult:
        """The deep gluteal space and the sciatic nerve at each instant (``deepgluteal.space``)."""
        return _space(self.scenario, self.activation)

    @cached_property
    def clearance_change_mm(self) -> np.ndarray:
        """(n,) change of the room in the space that is tightest now (mm, negative = narrower),
        against the same space of the reference: healthy walking at the same instant for
        walking, a healthy hip at rest for the static tasks."""
        if self.scenario.task == "walking":
            reference = _healthy_space(self.scenario.healthy())
        else:
            reference = healthy_reference(self.scenario.nerve_variant)
        instants = np.arange(self.n_instants)
        reference_instant = np.minimum(instants, reference.n_instants - 1)
        return np.array([
            self.space.clearance_mm[name][i] - reference.clearance_mm[name][reference_instant[i]]
            for i, name in enumerate(self.space.narrowest_space)])

    @cached_property
    def healthy_compression_index(self) -> np.ndarray:
        """(n,) overall compression index of the healthy state at the same instants."""
        return _healthy_space(self.scenario.healthy()).compression_index_overall


def _read_only(array) -> np.ndarray:
    array = np.asarray(array)
    array.flags.writeable = False
    return array


def available_max_force_N(scenario: Scenario) -> np.ndarray:
    """Maximum isometric force of each muscle after weakness (N), shape ``(m,)``.

    Gluteus medius and minimus are scaled by ``glute_med_strength``, gluteus maximus by
    ``glute_max_strength``; the strength set picks the unweakened values.
    """
    table = muscle_table()
    strength = np.array([1.0 if not parameter else getattr(scenario, parameter)
                         for parameter in table.strength_parameter])
    return strength * table.max_isometric_force_N[scenario.strength_set]


def hip_contact_force_N(muscle_force_N, pull_on_pelvis, intersegmental_force_N):
    """Magnitude of the hip joint contact force (N).

    Equilibrium of the pelvis and everything above it: the femoral head pushes back against the
    muscles' pull on the pelvis and the weight carried through the hip,
    ``|sum_i F_i u_i + (0, -W, 0)|``, with ``u_i`` the direction of muscle i's net force on the
    pelvis and ``W`` the intersegmental load (pelvis frame taken as upright).

    Parameters
    ----------
    muscle_force_N : array_like
        Shape ``(n, m)``.
    pull_on_pelvis : array_like
        Shape ``(n, m, 3)`` unit vectors (:func:`deepgluteal.muscles.muscle_paths`).
    intersegmental_force_N : float
        Weight carried through the hip besides the muscles (N).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, N.
    """
    total = np.einsum("nm,nmi->ni", muscle_force_N, pull_on_pelvis)
    total[:, 1] -= intersegmental_force_N
    return np.sqrt((total**2).sum(axis=1))


@lru_cache(maxsize=1)
def _group_masks() -> dict[str, np.ndarray]:
    table = muscle_table()
    return {group: table.group_mask(group) for group in GROUPS}


def _compute(scenario: Scenario) -> dict:
    """Posture, geometry, demand and load sharing of one scenario (no baseline)."""
    table = muscle_table()
    pose = posture(scenario)
    paths = muscle_paths(pose.hip_flexion_deg, pose.hip_adduction_deg, pose.hip_rotation_deg,
                         pose.knee_flexion_deg)
    base = healthy_posture(scenario.task, scenario.stance_pct)
    drop = pose.pelvic_drop_deg - base.pelvic_drop_deg
    demand = hip_demand_Nm(scenario.task, scenario.body_mass_kg, pose.hip_flexion_deg,
                           pose.hip_adduction_deg, scenario.stance_pct, drop)
    max_force = available_max_force_N(scenario)
    per_activation = np.swapaxes(paths.moment_arm_m, 1, 2) * max_force
    sharing = share_load(per_activation, demand)
    force = sharing.activation * max_force
    weight_N = scenario.body_mass_kg * model_constant("gravity_m_per_s2")
    contact = hip_contact_force_N(force, paths.pull_on_pelvis,
                                  intersegmental_load_fraction(scenario.task) * weight_N)
    abductors = paths.moment_arm_m[..., 1] < 0.0
    groups = {}
    for group in GROUPS:
        mask = _group_masks()[group]
        total = force[:, mask].sum(axis=1)
        groups[f"{group}_force_N"] = total
        groups[f"{group}_activation"] = total / max_force[mask].sum()
    return dict(
        scenario=scenario, stance_pct=pose.stance_pct, hip_flexion_deg=pose.hip_flexion_deg,
        hip_adduction_deg=pose.hip_adduction_deg, hip_rotation_deg=pose.hip_rotation_deg,
        knee_flexion_deg=pose.knee_flexion_deg, pelvic_drop_deg=pose.pelvic_drop_deg,
        muscle_names=table.names, muscle_labels=table.labels, muscle_groups=table.groups,
        max_force_N=max_force, muscle_length_m=paths.length_m, moment_arm_m=paths.moment_arm_m,
        demand_Nm=demand, muscle_force_N=force, activation=sharing.activation,
        muscle_moment_Nm=paths.moment_arm_m * force[..., None],
        unmet_moment_Nm=sharing.unmet_moment_Nm,
        feasible=np.all(np.abs(sharing.unmet_moment_Nm) < FEASIBLE_TOLERANCE_NM, axis=1),
        abductor_force_bw=(force * abductors).sum(axis=1) / weight_N,
        hip_contact_force_bw=contact / weight_N, **groups)


@lru_cache(maxsize=128)
def _healthy(task: str, body_mass_kg: float, strength_set: str,
             stance_pct: float | None) -> dict:
    """Healthy baseline of a task, body mass and strength set (cached)."""
    return _compute(Scenario(task=task, body_mass_kg=body_mass_kg, strength_set=strength_set,
                             stance_pct=stance_pct))


def _space(scenario: Scenario, activation: np.ndarray) -> SpaceResult:
    """The deep gluteal space for a scenario's postures and muscle activations (n, m)."""
    pose = posture(scenario)
    names = muscle_table().names
    return deep_gluteal_space(
        pose.hip_flexion_deg, pose.hip_adduction_deg, pose.hip_rotation_deg,
        pose.knee_flexion_deg,
        {name: activation[:, names.index(name)] for name in LOADED_MUSCLES + OPTIONAL_MUSCLES},
        scenario.nerve_variant)


@lru_cache(maxsize=128)
def _healthy_space(healthy: Scenario) -> SpaceResult:
    """The space of a healthy baseline (cached: every state of a session compares with it)."""
    baseline = _healthy(healthy.task, healthy.body_mass_kg, healthy.strength_set,
                        healthy.stance_pct)
    return _space(healthy, baseline["activation"])


def simulate(scenario: Scenario) -> Result:
    """Run the model for one scenario.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its constructor rejects bad values).

    Returns
    -------
    Result
        Posture, moment arms, demand, muscle forces and activations, unmet moment, group
        totals, hip contact force, and the deep rotators' load relative to the same person
        and task with healthy movement (valgus 0, full strength, no compensation).

    Raises
    ------
    ValueError
        If ``scenario`` is not a :class:`deepgluteal.scenario.Scenario`.
    """
    if not isinstance(scenario, Scenario):
        raise ValueError("scenario must be a deepgluteal.scenario.Scenario; got "
                         f"{type(scenario).__name__}")
    values = _compute(scenario)
    healthy = _healthy(scenario.task, scenario.body_mass_kg, scenario.strength_set,
                       scenario.stance_pct)
    floor = model_constant("load_ratio_floor_N")
    deep, deep_healthy = values["deep_rotators_force_N"], healthy["deep_rotators_force_N"]
    values.update(
        healthy_muscle_force_N=healthy["muscle_force_N"],
        healthy_activation=healthy["activation"],
        healthy_deep_rotators_force_N=deep_healthy,
        deep_rotator_load_ratio=(deep + floor) / (deep_healthy + floor),
        deep_rotator_peak_load_ratio=float((deep.max() + floor) / (deep_healthy.max() + floor)),
        deep_rotator_mean_load_ratio=float((deep.mean() + floor) / (deep_healthy.mean() + floor)))
    for key, value in values.items():
        if isinstance(value, np.ndarray) and value.flags.writeable:
            values[key] = _read_only(value)
    return Result(**values)
