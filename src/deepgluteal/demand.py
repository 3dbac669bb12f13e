"""Net hip moments the muscles must produce at each instant (N m).

Healthy demand per task:

- **walking**: the net internal hip moments of the walking trial (inverse dynamics, N m/kg)
  times body mass;
- **single_leg_stance**: Pauwels' frontal-plane statics: the body above the stance hip
  (0.814 body weight) acts 10.99 cm medial to it, so the abductors must supply
  ``0.814 m g x 0.1099 m``; no flexion or rotation moment (upright, quasi-static);
- **standing**, **sitting**, **fair**: quasi-static rest with relaxed muscles, zero net moment
  (two-legged standing puts the body's weight line between the hips; sitting and the FAIR
  test position are supported by the seat or couch).

The external load (ground reaction, body weight, segment inertia) is one vector fixed in the
ground; each change of posture says which segment moves under it. With ``E(q)`` the matrix of
joint axes in the pelvis frame (:func:`deepgluteal.muscles.hip_axes`) and ``tau`` the healthy
generalised moments, the physical moment in the pelvis frame is ``M = E(q_healthy)^-T tau``.

- **Valgus** turns the femur under a level pelvis: the pelvis keeps its place in the ground, so
  ``M`` is the same vector in the pelvis frame and the demand is ``tau' = E(q)^T M``. Rotation
  about the femur's own long axis turns no axis, so internal rotation alone leaves the demand
  unchanged; adduction tilts the rotation axis so that part of the sagittal moment becomes a
  rotation demand.
- **A contralateral pelvic drop** tilts the pelvis over a stance femur that stays put: the
  femur keeps its place in the ground, so ``M`` is the same vector in the *femur* frame. In
  the pelvis frame it becomes ``M' = R(q') R(q)^T M`` (``R`` the femur-to-pelvis rotation,
  :func:`deepgluteal.frames.femur_to_pelvis_rotation`) and the demand ``tau' = E(q')^T M'``.
  The rotation axis is the femur's long axis, fixed in the ground, so the drop leaves the
  rotation demand unchanged; it only shares the flexion and adduction moments anew between
  the tilted pelvis axes. The trunk and the body's centre of mass are taken to stay over the
  foot (the ground reaction does not change).

References
----------
.. [1] ``opensim_subject01``: OpenSim example data subject01_walk1, inverse dynamics.
.. [2] Pauwels F. (1965/1980) Biomechanics of the Normal and Diseased Hip (``pauwels1965``);
   inputs as carried by RWTHmediTEC/HipJointForceModel (facts sheet section 4).
.. [3] Winter D.A. (2009) Biomechanics and Motor Control of Human Movement (``winter2009``)
   and Kadaba M.P. et al. (1990) J Orthop Res 8:383 (``kadaba1990``): norms to compare with.
"""

from __future__ import annotations

import numpy as np

from deepgluteal.frames import femur_to_pelvis_rotation
from deepgluteal.kinematics import healthy_posture, model_constant, walking_trial
from deepgluteal.muscles import hip_axes

MOMENT_COLUMNS = ("hip_flexion_moment_Nm_per_kg", "hip_adduction_moment_Nm_per_kg",
                  "hip_rotation_moment_Nm_per_kg")


def healthy_demand_Nm_per_kg(task: str, stance_pct: float | None = None) -> np.ndarray:
    """Net internal hip moments of a healthy person, per kg body mass.

    Parameters
    ----------
    task : str
        One of :data:`deepgluteal.scenario.TASKS`.
    stance_pct : float or None
        Walking only: one instant (% of stance) instead of the 51 of the trial.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)``: flexion, adduction, rotation (N m/kg); positive = flexor, adductor,
        internal-rotator demand.
    """
    if task == "walking":
        trial = walking_trial()
        moments = np.stack([trial[c] for c in MOMENT_COLUMNS], axis=-1)
        if stance_pct is None:
            return moments
        return np.stack([np.interp(stance_pct, trial["stance_pct"], moments[:, k])
                         for k in range(3)])[None, :]
    if task == "single_leg_stance":
        abduction = (model_constant("superincumbent_weight_fraction")
                     * model_constant("gravity_m_per_s2")
                     * model_constant("pauwels_body_weight_lever_m"))
        return np.array([[0.0, -abduction, 0.0]])
    return np.zeros((1, 3))


def reproject_moments_Nm(moments_Nm, from_flexion_deg, from_adduction_deg, to_flexion_deg,
                         to_adduction_deg):
    """Generalised hip moments of one physical moment, seen by the axes of another posture.

    Parameters
    ----------
    moments_Nm : array_like
        Shape ``(n, 3)``: flexion, adduction, rotation moments at the first posture (N m).
    from_flexion_deg, from_adduction_deg : array_like
        First posture (deg), shape ``(n,)``.
    to_flexion_deg, to_adduction_deg : array_like
        New posture (deg), shape ``(n,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)``: ``E(to)^T E(from)^-T moments`` (N m).
    """
    moments = np.asarray(moments_Nm, dtype=float)
    old_axes = hip_axes(from_flexion_deg, from_adduction_deg)
    vector = np.linalg.solve(np.swapaxes(old_axes, -1, -2), moments[..., None])
    return np.einsum("nij,ni->nj", hip_axes(to_flexion_deg, to_adduction_deg), vector[..., 0])


def tilt_pelvis_moments_Nm(moments_Nm, hip_flexion_deg, from_adduction_deg, to_adduction_deg):
    """Generalised hip moments after the pelvis tilts over a stance femur that stays put.

    The femur and the load on it keep their place in the ground, so the physical moment is the
    same vector in the femur frame; only the pelvis (and with it the flexion and adduction
    axes) turns. With ``R`` the femur-to-pelvis rotation, ``M' = R(to) R(from)^T M`` in the
    pelvis frame and the demand is ``E(to)^T M'``. The rotation demand (about the femur's
    long axis) does not change.

    Parameters
    ----------
    moments_Nm : array_like
        Shape ``(n, 3)``: flexion, adduction, rotation moments before the tilt (N m).
    hip_flexion_deg : array_like
        Hip flexion (deg), shape ``(n,)``; the tilt does not change it.
    from_adduction_deg, to_adduction_deg : array_like
        Hip adduction before and after the tilt (deg), shape ``(n,)``; a contralateral pelvic
        drop of ``d`` degrees adds ``d`` to the stance hip's adduction.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)`` (N m).
    """
    moments = np.asarray(moments_Nm, dtype=float)
    old_axes = hip_axes(hip_flexion_deg, from_adduction_deg)
    vector = np.linalg.solve(np.swapaxes(old_axes, -1, -2), moments[..., None])[..., 0]
    # Hip rotation cancels out of R(to) R(from)^T because the tilt does not change it.
    turn = np.einsum("nij,nkj->nik",
                     femur_to_pelvis_rotation(hip_flexion_deg, to_adduction_deg, 0.0),
                     femur_to_pelvis_rotation(hip_flexion_deg, from_adduction_deg, 0.0))
    vector = np.einsum("nij,nj->ni", turn, vector)
    return np.einsum("nij,ni->nj", hip_axes(hip_flexion_deg, to_adduction_deg), vector)


def hip_demand_Nm(task: str, body_mass_kg: float, hip_flexion_deg, hip_adduction_deg,
                  stance_pct: float | None = None, extra_pelvic_drop_deg=0.0) -> np.ndarray:
    """Net hip moments the muscles must produce in the scenario's posture (N m).

    Parameters
    ----------
    task : str
        One of :data:`deepgluteal.scenario.TASKS`.
    body_mass_kg : float
        Body mass (kg); the healthy per-kg demand is scaled by it.
    hip_flexion_deg, hip_adduction_deg : array_like
        The scenario's posture (deg), shape ``(n,)`` matching the task's instants.
    stance_pct : float or None
        Walking only: the single instant simulated.
    extra_pelvic_drop_deg : float or array_like
        The part of the extra hip adduction that comes from a contralateral pelvic drop (deg):
        the pelvis tilts over the femur (moment fixed in the femur frame) instead of the femur
        moving under a level pelvis (moment fixed in the pelvis frame).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)``: flexion, adduction, rotation demand (N m).
    """
    healthy = healthy_demand_Nm_per_kg(task, stance_pct) * body_mass_kg
    base = healthy_posture(task, stance_pct)
    flex = np.asarray(hip_flexion_deg, dtype=float)
    add = np.asarray(hip_adduction_deg, dtype=float)
    drop = np.broadcast_to(np.asarray(extra_pelvic_drop_deg, dtype=float), add.shape)
    if np.array_equal(flex, base.hip_flexion_deg) and np.array_equal(add, base.hip_adduction_deg):
        return healthy
    femur_moved = add - drop
    demand = reproject_moments_Nm(healthy, base.hip_flexion_deg, base.hip_adduction_deg, flex,
                                  femur_moved)
    if not np.any(drop):
        return demand
    return tilt_pelvis_moments_Nm(demand, flex, femur_moved, add)


def intersegmental_load_fraction(task: str) -> float:
    """Weight carried through the hip joint besides the muscles, fraction of body weight.

    Quasi-static assumption: in walking stance and single-leg stance the hip carries the body
    above it (0.814 body weight, Pauwels); in two-legged standing half of that; sitting and the
    FAIR test position are supported by the seat or couch (0). Walking's dynamic part (vertical
    ground reaction peaks of about 1.1-1.2 body weight) is left out, so the walking contact
    force is underestimated around its peaks.
    """
    if task in ("walking", "single_leg_stance"):
        return model_constant("superincumbent_weight_fraction")
    if task == "standing":
        return model_constant("standing_hip_load_fraction")
    return model_constant("sitting_hip_load_fraction")
