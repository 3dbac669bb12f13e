"""Hip muscles of gait2392: path lengths and moment arms at any posture, vectorised.

Every muscle is a chain of straight segments through its path points (gait2392 has no wrapping
surfaces for these muscles). Points are fixed in the pelvis, the femur or the tibia; a
ConditionalPathPoint counts only while its coordinate is inside its range, and the rectus
femoris insertion moves in the tibia frame with the knee angle (MovingPathPoint). The tibia
frame sits in the femur frame as gait2392's ``knee_r`` joint puts it: rotated about z by the
knee angle and translated along two splines of it (``data/gait2392_knee.json``).

The moment arm of a muscle about hip coordinate ``q`` is ``r_q = -dL/dq`` (L the path length),
OpenSim's definition and sign: positive = flexor, adductor, internal rotator. It is computed
analytically: a femur- or tibia-fixed point ``p`` moves as ``dp/dq = e_q x (p - c)``, with ``c``
the hip centre and ``e_q`` the joint axis of ``q`` (:func:`hip_axes`), so
``r_q = e_q . sum_s (u_s x w_s)`` over the segments ``s`` with unit vector ``u_s`` and lever
difference ``w_s``. Only the segment that crosses the hip contributes: segments between two
points of the femur-tibia chain do not change length when the hip moves.

References
----------
.. [1] Delp S.L. et al. (1990) An interactive graphics-based model of the lower extremity to
   study orthopaedic surgical procedures. IEEE Trans Biomed Eng 37:757-767 (``delp1990``).
.. [2] OpenSim gait2392 model, opensim-org/opensim-models,
   Models/Gait2392_Simbody/gait2392_millard2012muscle.osim (``opensim_gait2392``).
.. [3] Delp S.L. et al. (1999) Variation of rotation moment arms with hip flexion. J Biomech
   32:493-501 (``delp1999``): measured moment arms the model is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np

from deepgluteal.datafiles import read_csv_columns, read_json
from deepgluteal.frames import GEOMETRY_FILE, femur_to_pelvis_rotation, hip_centre_in_pelvis_m
from deepgluteal.scenario import STRENGTH_SETS

MUSCLES_FILE = "muscles.csv"
KNEE_FILE = "gait2392_knee.json"

GROUPS = ("deep_rotators", "glute_med_min", "glute_max")
"""Muscle groups the model reports totals for (others: hamstrings, adductors, hip_flexors, tfl)."""

# Codes of the frame a path point is fixed in.
_PELVIS, _FEMUR, _TIBIA, _MOVING = 0, 1, 2, 3
# Codes of the coordinate that switches a ConditionalPathPoint.
_ALWAYS, _HIP_FLEXION, _KNEE_ANGLE = 0, 1, 2


def _read_only(array, dtype=float) -> np.ndarray:
    array = np.array(array, dtype=dtype)
    array.flags.writeable = False
    return array


# --------------------------------------------------------------------------- knee splines


class Spline(NamedTuple):
    """Piecewise cubic ``y = y_i + b_i dx + c_i dx^2 + d_i dx^3`` on knots ``x``."""

    x: np.ndarray
    y: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray


def simm_spline(x, y) -> Spline:
    """Cubic spline through ``(x, y)`` with OpenSim SimmSpline end conditions.

    Second derivatives ``M`` solve the usual continuity equations; at each end the third
    derivative of the spline equals that of the cubic through the four outermost knots (three
    knots: equal end second derivatives; two knots: a straight line). Outside the knots the
    spline continues as a straight line with the end slope.

    Parameters
    ----------
    x, y : array_like
        Knots (strictly increasing) and values, at least two.

    Returns
    -------
    Spline
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.size
    h = np.diff(x)
    slope = np.diff(y) / h
    if n == 2:
        zero = np.zeros(2)
        return Spline(x, y, np.full(2, slope[0]), zero, zero)
    system = np.zeros((n, n))
    rhs = np.zeros(n)
    for i in range(1, n - 1):
        system[i, i - 1:i + 2] = h[i - 1], 2.0 * (h[i - 1] + h[i]), h[i]
        rhs[i] = 6.0 * (slope[i] - slope[i - 1])
    if n == 3:
        system[0, :2] = -1.0, 1.0
        system[-1, -2:] = -1.0, 1.0
    else:
        def third_divided_difference(xs, ys):
            first = np.diff(ys) / np.diff(xs)
            second = np.diff(first) / (xs[2:] - xs[:-2])
            return (second[1] - second[0]) / (xs[3] - xs[0])

        # (M1 - M0) / h0 = 6 f[x0..x3], and the same at the far end.
        system[0, :2] = -1.0 / h[0], 1.0 / h[0]
        rhs[0] = 6.0 * third_divided_difference(x[:4], y[:4])
        system[-1, -2:] = -1.0 / h[-1], 1.0 / h[-1]
        rhs[-1] = 6.0 * third_divided_difference(x[-4:], y[-4:])
    second = np.linalg.solve(system, rhs)
    b = np.empty(n)
    b[:-1] = slope - h * (2.0 * second[:-1] + second[1:]) / 6.0
    b[-1] = slope[-1] + h[-1] * (second[-2] + 2.0 * second[-1]) / 6.0
    c = np.append(second[:-1] / 2.0, second[-1] / 2.0)
    d = np.append(np.diff(second) / (6.0 * h), 0.0)
    return Spline(x, y, b, c, d)


def evaluate_spline(spline: Spline, at):
    """Value of a :func:`simm_spline` at ``at`` (vectorised; linear outside the knots)."""
    at = np.asarray(at, dtype=float)
    x = spline.x
    i = np.clip(np.searchsorted(x, at, side="right") - 1, 0, x.size - 2)
    dx = at - x[i]
    inside = spline.y[i] + dx * (spline.b[i] + dx * (spline.c[i] + dx * spline.d[i]))
    below = spline.y[0] + (at - x[0]) * spline.b[0]
    above = spline.y[-1] + (at - x[-1]) * spline.b[-1]
    return np.where(at < x[0], below, np.where(at > x[-1], above, inside))


@cache
def _knee_splines() -> dict[str, Spline]:
    knee = read_json(KNEE_FILE)
    joint = knee["knee_r"]
    moving = knee["moving_path_points"]["rect_fem_r-P3"]
    return {
        "tibia_x": simm_spline(**joint["tibia_origin_in_femur_x_m"]),
        "tibia_y": simm_spline(**joint["tibia_origin_in_femur_y_m"]),
        "moving_x": simm_spline(**moving["x_m"]),
        "moving_y": simm_spline(**moving["y_m"]),
    }


def tibia_in_femur(knee_angle_rad):
    """Where the tibia frame is in the femur frame (gait2392 ``knee_r``).

    Parameters
    ----------
    knee_angle_rad : array_like
        gait2392 ``knee_angle_r`` (rad; negative = flexion), shape ``s``.

    Returns
    -------
    origin_m : numpy.ndarray
        Tibia origin in the femur frame (m), shape ``s + (3,)``.
    rotation : numpy.ndarray
        Rotation taking tibia-frame vectors to the femur frame, shape ``s + (3, 3)``.
    """
    q = np.asarray(knee_angle_rad, dtype=float)
    splines = _knee_splines()
    origin = np.stack([evaluate_spline(splines["tibia_x"], q),
                       evaluate_spline(splines["tibia_y"], q),
                       np.zeros_like(q)], axis=-1)
    cos, sin = np.cos(q), np.sin(q)
    rotation = np.zeros(q.shape + (3, 3))
    rotation[..., 0, 0] = cos
    rotation[..., 0, 1] = -sin
    rotation[..., 1, 0] = sin
    rotation[..., 1, 1] = cos
    rotation[..., 2, 2] = 1.0
    return origin, rotation


# --------------------------------------------------------------------------- muscle table


@dataclass(frozen=True)
class MuscleTable:
    """Names, groups, strengths and padded path-point arrays of the hip muscles (read-only).

    Path arrays have shape ``(m, k)`` (k = most points of any muscle; padding is inactive).
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    groups: tuple[str, ...]
    strength_parameter: tuple[str, ...]
    max_isometric_force_N: dict[str, np.ndarray]
    point_location_m: np.ndarray   # (m, k, 3), in the point's own frame
    point_frame: np.ndarray        # (m, k) frame code
    condition_coordinate: np.ndarray  # (m, k) coordinate code
    condition_range_rad: np.ndarray   # (m, k, 2)
    point_exists: np.ndarray          # (m, k) False for padding

    def group_mask(self, group: str) -> np.ndarray:
        """Boolean mask ``(m,)`` of the muscles in ``group``."""
        return np.array([g == group for g in self.groups])


@cache
def muscle_table() -> MuscleTable:
    """The hip muscles of gait2392 with both strength sets (cached).

    Returns
    -------
    MuscleTable
        Muscles in the order of ``data/muscles.csv``; ``max_isometric_force_N`` maps each name
        of :data:`deepgluteal.scenario.STRENGTH_SETS` to an array ``(m,)`` in N.

    References
    ----------
    .. [1] ``opensim_gait2392``, ``delp1990``: path points and gait2392 maximum forces.
    .. [2] ``parvaresh2019``, ``ward2009``, ``johnston1979``, ``rajagopal2016``: cadaver set.
    """
    table = read_csv_columns(MUSCLES_FILE)
    names = table["name"]
    geometry = read_json(GEOMETRY_FILE)["muscles"]
    frames = {"pelvis": _PELVIS, "femur_r": _FEMUR, "tibia_r": _TIBIA}
    coordinates = {"/jointset/hip_r/hip_flexion_r": _HIP_FLEXION,
                   "/jointset/knee_r/knee_angle_r": _KNEE_ANGLE}
    k = max(len(geometry[name]["path"]) for name in names)
    location = np.zeros((len(names), k, 3))
    frame = np.zeros((len(names), k), dtype=int)
    coordinate = np.zeros((len(names), k), dtype=int)
    ranges = np.zeros((len(names), k, 2))
    exists = np.zeros((len(names), k), dtype=bool)
    for i, name in enumerate(names):
        for j, point in enumerate(geometry[name]["path"]):
            exists[i, j] = True
            if point["type"] == "MovingPathPoint":
                frame[i, j] = _MOVING
            else:
                frame[i, j] = frames[point["frame"]]
                location[i, j] = point["location"]
            if point["type"] == "ConditionalPathPoint":
                coordinate[i, j] = coordinates[point["coordinate"]]
                ranges[i, j] = point["range"]
    forces = {
        "gait2392": _read_only([float(v) for v in table["gait2392_max_isometric_force_N"]]),
        "cadaver": _read_only([float(v) for v in table["cadaver_max_isometric_force_N"]]),
    }
    assert set(forces) == set(STRENGTH_SETS)
    return MuscleTable(
        names=tuple(names), labels=tuple(table["label"]), groups=tuple(table["group"]),
        strength_parameter=tuple(table["strength_parameter"]), max_isometric_force_N=forces,
        point_location_m=_read_only(location), point_frame=_read_only(frame, int),
        condition_coordinate=_read_only(coordinate, int),
        condition_range_rad=_read_only(ranges), point_exists=_read_only(exists, bool))


# --------------------------------------------------------------------------- geometry


def hip_axes(hip_flexion_deg, hip_adduction_deg):
    """Joint axes of the hip coordinates in the pelvis frame.

    gait2392's hip turns the femur by flexion about the pelvis z axis, then adduction about the
    once-turned x axis, then rotation about the twice-turned y axis (the femur's long axis).

    Parameters
    ----------
    hip_flexion_deg, hip_adduction_deg : array_like
        Hip angles (deg), broadcast to shape ``s``.

    Returns
    -------
    numpy.ndarray
        Shape ``s + (3, 3)``; column 0, 1, 2 = unit axis of flexion, adduction, rotation.
        A physical moment ``M`` (pelvis frame) acts on coordinate ``q`` as ``e_q . M``.
    """
    flex, add = np.broadcast_arrays(np.radians(np.asarray(hip_flexion_deg, dtype=float)),
                                    np.radians(np.asarray(hip_adduction_deg, dtype=float)))
    cf, sf, ca, sa = np.cos(flex), np.sin(flex), np.cos(add), np.sin(add)
    axes = np.zeros(flex.shape + (3, 3))
    axes[..., 2, 0] = 1.0
    axes[..., 0, 1] = cf
    axes[..., 1, 1] = sf
    axes[..., 0, 2] = -sf * ca
    axes[..., 1, 2] = cf * ca
    axes[..., 2, 2] = sa
    return axes


def _cross(a, b):
    # np.cross, without its per-call overhead (this runs on every model call).
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out


class MusclePaths(NamedTuple):
    """Muscle paths at each posture: ``n`` postures, ``m`` muscles."""

    length_m: np.ndarray          # (n, m) muscle-tendon path length
    moment_arm_m: np.ndarray      # (n, m, 3) about flexion, adduction, rotation (-dL/dq)
    pull_on_pelvis: np.ndarray    # (n, m, 3) unit direction of the pull on the pelvis


@lru_cache(maxsize=64)
def _points_in_femur_m(knee_flexion_deg: tuple[float, ...]) -> np.ndarray:
    """Every path point of every muscle in the femur frame, shape ``(n, m, k, 3)`` (cached).

    Depends on the knee angle only; pelvis points are left as they are (callers overwrite them).
    """
    knee_angle = -np.radians(np.asarray(knee_flexion_deg, dtype=float))
    table = muscle_table()
    frame, location = table.point_frame, table.point_location_m
    tibia_origin, tibia_rotation = tibia_in_femur(knee_angle)
    splines = _knee_splines()
    moving_z = read_json(KNEE_FILE)["moving_path_points"]["rect_fem_r-P3"]["z_m"]
    moving = np.stack([evaluate_spline(splines["moving_x"], knee_angle),
                       evaluate_spline(splines["moving_y"], knee_angle),
                       np.full_like(knee_angle, moving_z)], axis=-1)
    in_tibia = np.where((frame == _MOVING)[None, :, :, None], moving[:, None, None, :],
                        location[None])
    in_femur = np.where((frame == _FEMUR)[None, :, :, None], location[None],
                        tibia_origin[:, None, None, :]
                        + np.einsum("nij,nmkj->nmki", tibia_rotation, in_tibia))
    return _read_only(in_femur)


def muscle_paths(hip_flexion_deg, hip_adduction_deg, hip_rotation_deg, knee_flexion_deg):
    """Path lengths, moment arms and lines of action of every hip muscle (vectorised).

    Parameters
    ----------
    hip_flexion_deg, hip_adduction_deg, hip_rotation_deg : array_like
        Hip angles (deg), shape ``(n,)`` or scalars (broadcast together).
    knee_flexion_deg : array_like
        Knee flexion (deg, positive = bent), same shape. Matters for the muscles that cross
        the knee (hamstrings, gracilis, sartorius, rectus femoris, TFL's distal points).

    Returns
    -------
    MusclePaths
        ``length_m`` (n, m) in m; ``moment_arm_m`` (n, m, 3) in m, positive = flexor, adductor,
        internal rotator; ``pull_on_pelvis`` (n, m, 3): unit vector along the segment that
        crosses the hip, from the pelvis toward the thigh (direction of the muscle's net force
        on the pelvis per newton of tension).

    References
    ----------
    .. [1] ``opensim_gait2392``, ``delp1990``.
    """
    flex, add, rot, knee = (np.atleast_1d(np.asarray(a, dtype=float)) for a in np.broadcast_arrays(
        hip_flexion_deg, hip_adduction_deg, hip_rotation_deg, knee_flexion_deg))
    table = muscle_table()
    frame = table.point_frame
    location = table.point_location_m
    centre = hip_centre_in_pelvis_m()
    in_femur = _points_in_femur_m(tuple(knee.tolist()))
    hip_rotation = femur_to_pelvis_rotation(flex, add, rot)
    lever = np.einsum("nij,nmkj->nmki", hip_rotation, in_femur)
    pelvic = (frame == _PELVIS)[None, :, :, None]
    lever = np.where(pelvic, 0.0, lever)
    position = np.where(pelvic, location[None], centre + lever)

    # Which points count at this posture.
    value = np.stack([np.zeros_like(flex), np.radians(flex), -np.radians(knee)], axis=-1)
    switch = value[:, table.condition_coordinate]
    low, high = table.condition_range_rad[..., 0], table.condition_range_rad[..., 1]
    active = table.point_exists & ((table.condition_coordinate == _ALWAYS)
                                   | ((switch >= low) & (switch <= high)))
    # An inactive point takes the place of the last active one before it: its segments then
    # have zero length and the path runs straight from that point to the next active one.
    k = frame.shape[1]
    last_active = np.maximum.accumulate(np.where(active, np.arange(k), 0), axis=-1)
    position = np.take_along_axis(position, last_active[..., None], axis=2)
    lever = np.take_along_axis(lever, last_active[..., None], axis=2)
    point_frame = np.take_along_axis(np.broadcast_to(frame, last_active.shape), last_active,
                                     axis=2)

    segment = np.diff(position, axis=2)
    segment_length = np.sqrt(np.einsum("nmki,nmki->nmk", segment, segment))
    unit = segment / np.where(segment_length > 0.0, segment_length, 1.0)[..., None]
    moment_per_newton = _cross(unit, np.diff(lever, axis=2)).sum(axis=2)
    moment_arm = np.einsum("niq,nmi->nmq", hip_axes(flex, add), moment_per_newton)
    crossing = (point_frame[..., :-1] == _PELVIS) & (point_frame[..., 1:] != _PELVIS)
    pull = (unit * crossing[..., None]).sum(axis=2)
    return MusclePaths(segment_length.sum(axis=2), moment_arm, pull)
