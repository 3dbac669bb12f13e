"""The deep gluteal space: how much room the sciatic nerve has, and how stretched it is.

Everything here is pure, vectorised numpy. Angles follow OpenSim gait2392 (right hip):
positive flexion, adduction and internal rotation; knee flexion is positive when the knee bends.
Lengths are in millimetres in the pelvis frame (x anterior, y superior, z right).

The model in one paragraph
--------------------------
Bones and muscles come from gait2392: each muscle is a straight-line path between its
attachment points, the femur's points move with the hip angles (``deepgluteal.frames``), so the
posture that changes the moment arms also changes the spaces. Each deep rotator is a round
cylinder around its path whose cross-section equals its cadaver PCSA. A muscle's *load* is its
activation plus its fibre strain beyond standing (a stretched, taut muscle counts as loaded), and
a loaded muscle is thicker by ``thickening_at_full_load`` x load (one named parameter). The nerve
(an ellipse 15.55 x 5.5 mm) leaves the pelvis below, through or above the piriformis (Beaton-Anson
type A-F), crosses the gemelli-obturator internus complex and quadratus femoris, and runs into the
thigh. Four spaces are measured each instant:

``subpiriform``   gap between the piriformis and the gemelli-obturator internus where the nerve
                  crosses them (the "scissor"), surface to surface;
``suprapiriform`` gap between the piriformis and the upper margin of the sciatic notch;
``transpiriform`` room inside a split piriformis that a division pierces;
``ischiofemoral`` ischial tuberosity to lesser trochanter, bone to bone (as on MRI).

Clearance is the room left for the nerve (gap minus nerve thickness) or, for the ischiofemoral
space, the room quadratus femoris has above the impingement cut-off. The compression index is 0
at (or above) the healthy relaxed standing clearance and 1 when no room is left. Every equation
and assumption is listed in ``docs/MODEL.md, section 11``.

References
----------
.. [1] Delp S.L. et al. (1990) IEEE Trans Biomed Eng 37:757-767; OpenSim gait2392 model
   (``delp1990``, ``opensim_gait2392``).
.. [2] Parvaresh K.C. et al. (2019) BMC Musculoskelet Disord 20:611 (``parvaresh2019``).
.. [3] Tomaszewski K.A. et al. (2016) J Orthop Res 34:1820 (``tomaszewski2016``).
.. [4] Rusu M.C. et al. (2020) Med Pharm Rep 93:357 (``rusu2020``).
.. [5] Singer A.D. et al. (2015) meta-analysis of ischiofemoral impingement (``singer2015``).
.. [6] Siahaan Y.M.T. et al. (2021) Front Neurol 12:721966 (``siahaan2021``).
.. [7] Ridehalgh C. et al. (2014) Man Ther (``ridehalgh2014``).
.. [8] Beaton L.E., Anson B.J. (1937) (``beaton1937``); Smoll N.R. (2010) Clin Anat 23:8
   (``smoll2010``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from deepgluteal.datafiles import read_csv_columns, read_json
from deepgluteal.frames import femur_points_in_pelvis_m
from deepgluteal.scenario import NERVE_VARIANTS

GEOMETRY_FILE = "gait2392_hip.json"
LANDMARKS_FILE = "space_landmarks.csv"
PARAMETERS_FILE = "space_parameters.csv"
VARIANTS_FILE = "nerve_variants.csv"

VARIANTS = NERVE_VARIANTS
"""Beaton-Anson types of the sciatic nerve relative to the piriformis."""

SPACES = ("subpiriform", "suprapiriform", "transpiriform", "ischiofemoral")
"""The spaces measured each instant (see the module docstring)."""

PASSAGE_OF_ROUTE = {"below": "subpiriform", "above": "suprapiriform",
                    "through": "transpiriform"}
"""Which space a nerve division uses for each route past the piriformis."""

BRANCHES = ("tibial", "common_peroneal")
"""Nerve divisions; an undivided nerve has both on the same path."""

LOADED_MUSCLES = ("peri_r", "gem_r", "quad_fem_r")
"""Deep rotators whose activation must be given: they bound the spaces."""

OPTIONAL_MUSCLES = ("glut_med1_r", "glut_med2_r", "glut_med3_r", "glut_min1_r", "glut_min2_r",
                    "glut_min3_r", "glut_max1_r", "glut_max2_r", "glut_max3_r")
"""gait2392 gluteals whose activation may be given (drawn only; they do not bound the spaces)."""

DRAWN_PATHS = ("peri_r", "gem_r", "quad_fem_r", "glut_med1_r", "glut_med2_r", "glut_med3_r",
               "glut_max1_r", "glut_max2_r", "glut_max3_r")
"""gait2392 muscle paths carried into the result (pelvis frame, mm)."""

GEMELLI_BANDS = ("superior_gemellus", "obturator_internus", "inferior_gemellus")
"""Anatomical bands drawn around the lumped gait2392 ``gem_r`` path, top to bottom."""

ANGLE_NAMES = ("hip_flexion_deg", "hip_adduction_deg", "hip_rotation_deg", "knee_flexion_deg")

_POSTERIOR = np.array([-1.0, 0.0, 0.0])
_SUPERIOR = np.array([0.0, 1.0, 0.0])
_LATERAL = np.array([0.0, 0.0, 1.0])


class NormalRange(NamedTuple):
    """Published normal range of a space (mm); NaN where none is published."""

    low_mm: float
    high_mm: float
    source: str


@dataclass(frozen=True)
class SpaceResult:
    """The deep gluteal space at ``n`` instants (arrays are read-only, lengths in mm, pelvis frame).

    Attributes
    ----------
    variant : str
        Beaton-Anson type ``"A"``..``"F"``.
    nerve_divided : bool
        True when the tibial and common peroneal divisions take different routes.
    nerve_route : Mapping[str, str]
        Route (``"below"``, ``"through"``, ``"above"``) of each division in ``BRANCHES``.
    route_spaces : tuple of str
        Spaces the nerve depends on for this variant (its piriformis passages and the
        ischiofemoral space).
    hip_flexion_deg, hip_adduction_deg, hip_rotation_deg, knee_flexion_deg : ndarray (n,)
        The posture.
    landmarks_mm : Mapping[str, ndarray (n, 3)]
        Every row of ``data/space_landmarks.csv`` with role ``landmark``, femur ones moved.
    outlines_mm : Mapping[str, ndarray (n, k, 3)]
        Schematic drawing polygons (role ``outline:<name>``), plus ``gluteus_maximus`` and
        ``gluteus_medius`` outlines through their gait2392 path points.
    capsules_mm, capsule_radius_mm : Mapping[str, ndarray (n, 2, 3)], Mapping[str, float]
        Schematic bone capsules of the femur (segment end points, moved; radius in mm), for
        drawing only.
    muscle_paths_mm : Mapping[str, ndarray (n, k, 3)]
        gait2392 paths in ``DRAWN_PATHS`` plus the three ``GEMELLI_BANDS`` around ``gem_r``.
    muscle_radius_mm : Mapping[str, ndarray (n,)]
        Loaded radius of ``peri_r``, ``gem_r``, ``quad_fem_r`` and of the gemelli bands.
    muscle_load : Mapping[str, ndarray (n,)]
        Load 0..1 of ``LOADED_MUSCLES``: activation + fibre strain beyond standing, clipped.
    muscle_stretch_mm : Mapping[str, ndarray (n,)]
        Muscle-tendon path length minus its standing length, for ``LOADED_MUSCLES``.
    nerve_paths_mm : Mapping[str, ndarray (n, 6, 3)]
        Polyline of each division: sacral plexus, piriformis crossing, over the gemelli, over
        quadratus femoris, posterior thigh, popliteal fossa. The first segment is inside the
        pelvis.
    gap_mm, clearance_mm, compression_index : Mapping[str, ndarray (n,)]
        Per space in ``SPACES`` (see the module docstring for the definitions).
    subpiriform_gap_mm, ischiofemoral_space_mm : ndarray (n,)
        The two spaces the literature names, same numbers as in ``gap_mm``.
    compression_index_overall : ndarray (n,)
        Highest compression index of the ``route_spaces``.
    nerve_compression_index : Mapping[str, ndarray (n,)]
        Per division in ``BRANCHES``: the higher of its piriformis passage's index and the
        ischiofemoral index.
    narrowest_space : ndarray of str (n,)
        Route space with the highest compression index (ties: the smallest clearance).
    narrowest_clearance_mm : ndarray (n,)
        Clearance of ``narrowest_space``.
    dimension_line_mm : ndarray (n, 2, 3)
        End points of the gap of ``narrowest_space`` (surface to surface, or bone to bone).
    nerve_bed_lengthening_mm, nerve_strain_pct, nerve_tension_index : ndarray (n,)
        Lengthening of the nerve's bed relative to relaxed standing; the strain if that
        lengthening were shared evenly by the whole nerve (plexus to ankle); and the lengthening
        as a fraction of a straight-leg raise to ``slr_reference_hip_flexion_deg``.
    nerve_strain_source : str
        Where the nerve tension numbers come from.
    normal_ranges : Mapping[str, NormalRange]
        Published normal range of each space.
    """

    variant: str
    nerve_divided: bool
    nerve_route: Mapping[str, str]
    route_spaces: tuple
    hip_flexion_deg: np.ndarray
    hip_adduction_deg: np.ndarray
    hip_rotation_deg: np.ndarray
    knee_flexion_deg: np.ndarray
    landmarks_mm: Mapping[str, np.ndarray]
    outlines_mm: Mapping[str, np.ndarray]
    capsules_mm: Mapping[str, np.ndarray]
    capsule_radius_mm: Mapping[str, float]
    muscle_paths_mm: Mapping[str, np.ndarray]
    muscle_radius_mm: Mapping[str, np.ndarray]
    muscle_load: Mapping[str, np.ndarray]
    muscle_stretch_mm: Mapping[str, np.ndarray]
    nerve_paths_mm: Mapping[str, np.ndarray]
    gap_mm: Mapping[str, np.ndarray]
    clearance_mm: Mapping[str, np.ndarray]
    compression_index: Mapping[str, np.ndarray]
    subpiriform_gap_mm: np.ndarray
    ischiofemoral_space_mm: np.ndarray
    compression_index_overall: np.ndarray
    nerve_compression_index: Mapping[str, np.ndarray]
    narrowest_space: np.ndarray
    narrowest_clearance_mm: np.ndarray
    dimension_line_mm: np.ndarray
    nerve_bed_lengthening_mm: np.ndarray
    nerve_strain_pct: np.ndarray
    nerve_tension_index: np.ndarray
    nerve_strain_source: str
    normal_ranges: Mapping[str, NormalRange]

    @property
    def n_instants(self) -> int:
        """Number of instants ``n``."""
        return self.hip_flexion_deg.shape[0]


# --------------------------------------------------------------------------------------------
# Tables


@cache
def space_parameters() -> Mapping[str, float]:
    """Values of ``data/space_parameters.csv`` by name (units and sources are in the table)."""
    table = read_csv_columns(PARAMETERS_FILE)
    return MappingProxyType({name: float(value)
                             for name, value in zip(table["name"], table["value"], strict=True)})


def _parameter(name: str) -> float:
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    return space_parameters()[name]


_OVERRIDES: dict[str, float] = {}


def thickening_sensitivity(scenario, thickenings=(0.0, 0.1, 0.2, 0.36, 0.5)) -> dict:
    """How the space's numbers move with ``thickening_at_full_load`` (a teaching assumption).

    The muscle forces do not depend on it; the spaces of the scenario and of its healthy
    counterpart are recomputed for each value.

    Parameters
    ----------
    scenario : deepgluteal.scenario.Scenario
    thickenings : sequence of float
        Fractional thickening of a fully loaded muscle, each 0..1.

    Returns
    -------
    dict
        Per thickening: ``peak_index`` and ``mean_index`` (overall compression index of the
        scenario over its instants), ``healthy_peak_index``, ``healthy_share_at_0_7`` (share
        of the healthy instants with an index of 0.7 or more) and ``min_clearance_mm``.
    """
    from deepgluteal.model import _space, simulate

    result, healthy = simulate(scenario), simulate(scenario.healthy())
    table = {}
    for value in thickenings:
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"thickening must be a fraction 0 to 1 (got {value!r})")
        _OVERRIDES["thickening_at_full_load"] = float(value)
        try:
            now = _space(scenario, result.activation)
            base = _space(scenario.healthy(), healthy.activation)
        finally:
            _OVERRIDES.clear()
        table[float(value)] = {
            "peak_index": float(now.compression_index_overall.max()),
            "mean_index": float(now.compression_index_overall.mean()),
            "healthy_peak_index": float(base.compression_index_overall.max()),
            "healthy_share_at_0_7": float((base.compression_index_overall >= 0.7).mean()),
            "min_clearance_mm": float(now.narrowest_clearance_mm.min()),
        }
    return table


@cache
def nerve_variant_table() -> Mapping[str, Mapping[str, str]]:
    """Rows of ``data/nerve_variants.csv`` by variant letter (all fields as text)."""
    table = read_csv_columns(VARIANTS_FILE)
    keys = tuple(table)
    rows = {}
    for i, letter in enumerate(table["variant"]):
        rows[letter] = MappingProxyType({key: table[key][i] for key in keys})
    return MappingProxyType(rows)


@cache
def _landmark_table():
    table = read_csv_columns(LANDMARKS_FILE)
    points = np.column_stack([np.array(table[c], dtype=float) for c in ("x_m", "y_m", "z_m")])
    return table["name"], table["frame"], table["role"], points * 1000.0


def _muscle_path_table():
    muscles = read_json(GEOMETRY_FILE)["muscles"]
    return {name: [(point["frame"], np.asarray(point["location"], float) * 1000.0)
                   for point in muscles[name]["path"]] for name in DRAWN_PATHS}


@cache
def _geometry():
    """Every point the model moves, stacked once: pelvis points and femur points (mm)."""
    names, frames, roles, points = _landmark_table()
    pelvis, femur, where = [], [], {}

    def add(key, frame, point):
        bucket = femur if frame.startswith("femur") else pelvis
        where[key] = (bucket is femur, len(bucket))
        bucket.append(point)

    outlines: dict[str, list] = {}
    for name, frame, role, point in zip(names, frames, roles, points, strict=True):
        if role == "landmark":
            add(("landmark", name), frame, point)
        else:
            shape = role  # "outline:<name>" (polygon) or "capsule:<name>" (segment + radius)
            key = ("outline", shape, len(outlines.setdefault(shape, [])))
            outlines[shape].append(key)
            add(key, frame, point)
    paths = {}
    for muscle, path in _muscle_path_table().items():
        paths[muscle] = []
        for j, (frame, point) in enumerate(path):
            key = ("path", muscle, j)
            paths[muscle].append(key)
            add(key, frame, point)
    return (np.array(pelvis), np.array(femur) / 1000.0, where,
            {k: tuple(v) for k, v in outlines.items()}, {k: tuple(v) for k, v in paths.items()})


def _moved_points(flex, add, rot):
    """All model points in the pelvis frame at each instant: lookup(key) -> (n, 3)."""
    pelvis, femur_m, where, outlines, paths = _geometry()
    moved = femur_points_in_pelvis_m(femur_m, flex, add, rot) * 1000.0  # (n, m, 3)
    n = moved.shape[0]

    def lookup(key):
        is_femur, index = where[key]
        if is_femur:
            return moved[:, index, :]
        return np.broadcast_to(pelvis[index], (n, 3))

    return lookup, outlines, paths


# --------------------------------------------------------------------------------------------
# Validation


def _angle_range(name: str) -> tuple[float, float]:
    stem = name.removesuffix("_deg")
    return _parameter(f"{stem}_min_deg"), _parameter(f"{stem}_max_deg")


def valid_ranges_text() -> str:
    """One line per input: name, unit and accepted range (used in error messages)."""
    lines = [f"{name}: {low:g} to {high:g} deg"
             for name in ANGLE_NAMES for low, high in [_angle_range(name)]]
    return "; ".join(lines)


def _check_angles(values):
    checked = []
    for name, value in zip(ANGLE_NAMES, values, strict=True):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must be a number or an array of numbers in degrees; "
                             f"valid ranges: {valid_ranges_text()}") from error
        low, high = _angle_range(name)
        if array.ndim > 1:
            raise ValueError(f"{name} must be a scalar or a 1-D array over instants "
                             f"(got shape {array.shape})")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or infinity; it must be finite, "
                             f"{low:g} to {high:g} deg")
        if np.any(array < low) or np.any(array > high):
            raise ValueError(f"{name} must be between {low:g} and {high:g} deg "
                             f"(got {array.min():g} to {array.max():g}); "
                             f"valid ranges: {valid_ranges_text()}")
        checked.append(array)
    try:
        broadcast = np.broadcast_arrays(*checked)
    except ValueError as error:
        raise ValueError("the four angles must be scalars or 1-D arrays of one length") from error
    return [np.atleast_1d(a).astype(float) for a in broadcast]


def _check_variant(variant) -> str:
    if not isinstance(variant, str) or variant not in VARIANTS:
        raise ValueError(f"variant must be one of the Beaton-Anson types {', '.join(VARIANTS)} "
                         f"(got {variant!r})")
    return variant


def _check_activation(activation, n: int) -> dict[str, np.ndarray]:
    if not isinstance(activation, Mapping):
        raise ValueError("activation must be a mapping from gait2392 muscle name to activation "
                         f"0..1; required: {', '.join(LOADED_MUSCLES)}; optional: "
                         f"{', '.join(OPTIONAL_MUSCLES)}")
    unknown = sorted(set(activation) - set(LOADED_MUSCLES) - set(OPTIONAL_MUSCLES))
    missing = [name for name in LOADED_MUSCLES if name not in activation]
    if unknown or missing:
        problem = (f"unknown muscle(s) {', '.join(map(str, unknown))}" if unknown
                   else f"missing {', '.join(missing)}")
        raise ValueError(f"activation: {problem}; required: {', '.join(LOADED_MUSCLES)}; "
                         f"optional: {', '.join(OPTIONAL_MUSCLES)}")
    checked = {}
    for name, value in activation.items():
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"activation[{name!r}] must be a number 0..1 (fraction of maximum)"
                             ) from error
        if not np.all(np.isfinite(array)) or np.any(array < 0.0) or np.any(array > 1.0):
            raise ValueError(f"activation[{name!r}] must be finite and between 0 and 1 "
                             "(fraction of maximum activation)")
        try:
            checked[name] = np.broadcast_to(array, (n,)).astype(float)
        except ValueError as error:
            raise ValueError(f"activation[{name!r}] has shape {array.shape}, which does not "
                             f"broadcast with the {n} instants of the angles") from error
    return checked


# --------------------------------------------------------------------------------------------
# Geometry helpers (all vectorised over instants)


def _norm(v):
    return np.sqrt(np.einsum("...i,...i->...", v, v))


def _unit(v):
    return v / _norm(v)[..., None]


def _perpendicular_towards(axis_unit, direction):
    """Unit vector perpendicular to ``axis_unit`` on the side of the fixed ``direction``."""
    w = direction - np.einsum("...i,i->...", axis_unit, direction)[..., None] * axis_unit
    return _unit(w)


def _path_length(points):
    return _norm(np.diff(points, axis=-2)).sum(axis=-1)


def _foot_on_segment(point, start, end):
    direction = end - start
    t = np.einsum("...i,...i->...", point - start, direction) / np.einsum(
        "...i,...i->...", direction, direction)
    return start + np.clip(t, 0.0, 1.0)[..., None] * direction


def _radius_mm(pcsa_cm2):
    return np.sqrt(pcsa_cm2 * 100.0 / np.pi)


@cache
def resting_radius_mm() -> Mapping[str, float]:
    """Radius (mm) of each loaded muscle at rest: a circle whose area is its PCSA."""
    p = _parameter
    gem = (p("pcsa_superior_gemellus_cm2") + p("pcsa_inferior_gemellus_cm2")
           + p("pcsa_obturator_internus_cm2"))
    return MappingProxyType({"peri_r": float(_radius_mm(p("pcsa_piriformis_cm2"))),
                             "gem_r": float(_radius_mm(gem)),
                             "quad_fem_r": float(_radius_mm(p("pcsa_quadratus_femoris_cm2")))})


_FIBRE_LENGTH = {"peri_r": "fibre_length_piriformis_mm",
                 "gem_r": "fibre_length_gemelli_obturator_internus_mm",
                 "quad_fem_r": "fibre_length_quadratus_femoris_mm"}


def muscle_load(activation, stretch_mm, fibre_length_mm):
    """Load of a muscle, 0..1: activation plus fibre strain beyond standing.

    A stretched muscle is taut; the model counts its fibre strain like activation (teaching
    assumption). Slack (negative stretch) adds nothing.

    Parameters
    ----------
    activation : array_like
        Fraction of maximum activation, 0..1.
    stretch_mm : array_like
        Muscle-tendon path length minus its standing length (mm).
    fibre_length_mm : float
        Cadaver fibre length (mm), ``parvaresh2019``.

    Returns
    -------
    numpy.ndarray
        Load, clipped to 0..1.
    """
    strain = np.maximum(np.asarray(stretch_mm, float), 0.0) / fibre_length_mm
    return np.clip(np.asarray(activation, float) + strain, 0.0, 1.0)


def loaded_radius_mm(resting_radius, load):
    """Radius of a loaded muscle: ``r0 (1 + thickening_at_full_load * load)`` (mm).

    References
    ----------
    .. [1] ``siahaan2021``: ultrasound piriformis thickness 1.16 cm in piriformis syndrome vs
       0.85 cm in controls; the ratio 1.36 is used as the thickening at full load (teaching
       assumption).
    """
    return resting_radius * (1.0 + _parameter("thickening_at_full_load") * np.asarray(load))


# --------------------------------------------------------------------------------------------
# The model


def _knee_excursion_mm(hip_flexion_deg, knee_flexion_deg):
    """Extra nerve-bed length from knee extension, relative to the knee at 90 deg (mm).

    Linear in hip flexion through the two measured points of ``ridehalgh2014`` (9.92 mm at
    30 deg, 12.4 mm at 60 deg, per 90 deg of knee extension), linear in knee angle.
    """
    e30 = _parameter("knee_extension_excursion_hip30_mm")
    e60 = _parameter("knee_extension_excursion_hip60_mm")
    per_90_deg = e30 + (e60 - e30) * (np.asarray(hip_flexion_deg) - 30.0) / 30.0
    return per_90_deg * (90.0 - np.asarray(knee_flexion_deg)) / 90.0


@cache
def _standing(variant: str):
    """Relaxed standing geometry of a variant (cached): the reference for stretch and tension."""
    zero = np.zeros(1)
    return _geometry_at(zero, zero, zero, variant)


def _nerve_length_mm(nerve_path):
    """Length (mm) of the modelled nerve polyline, sacral plexus to popliteal fossa."""
    return _path_length(nerve_path)


def _nerve_bed_lengthening_mm(posture_geometry, hip_flexion_deg, knee_flexion_deg, variant):
    """Lengthening of the nerve bed relative to relaxed standing (mm).

    The hip part is the change of the modelled polyline (gait2392 geometry, tibial division);
    the knee part is the measured knee-extension excursion (``ridehalgh2014``).
    """
    standing_length = _nerve_length_mm(_standing(variant)["nerve"]["tibial"])[0]
    hip_part = _nerve_length_mm(posture_geometry["nerve"]["tibial"]) - standing_length
    knee_part = (_knee_excursion_mm(hip_flexion_deg, knee_flexion_deg)
                 - _knee_excursion_mm(0.0, 0.0))
    return hip_part + knee_part


@cache
def _slr_lengthening_mm(variant: str) -> float:
    slr = np.array([_parameter("slr_reference_hip_flexion_deg")])
    zero = np.zeros(1)
    geometry = _geometry_at(slr, zero, zero, variant)
    return float(_nerve_bed_lengthening_mm(geometry, slr, zero, variant)[0])


def whole_nerve_length_mm(variant: str = "A") -> float:
    """Standing length (mm) over which the strain is spread: modelled polyline + below knee."""
    modelled = _nerve_length_mm(_standing(variant)["nerve"]["tibial"])[0]
    return float(modelled + _parameter("nerve_length_below_knee_mm"))


def _geometry_at(flex, add, rot, variant, radius=None):
    """Posture-only geometry: paths, landmarks, gaps for given muscle radii (mm)."""
    lookup, outlines, paths = _moved_points(flex, add, rot)
    rest = resting_radius_mm()
    if radius is None:
        radius = {name: np.full(flex.shape, rest[name]) for name in LOADED_MUSCLES}
    p = _parameter
    names, _, roles, _ = _landmark_table()
    land = {name: lookup(("landmark", name))
            for name, role in zip(names, roles, strict=True) if role == "landmark"}
    path = {m: np.stack([lookup(k) for k in keys], axis=1) for m, keys in paths.items()}

    notch = land["greater_sciatic_notch"]
    piri_insertion = path["peri_r"][:, -1]
    gem_origin, gem_insertion = path["gem_r"][:, 0], path["gem_r"][:, -1]
    qf_origin, qf_insertion = path["quad_fem_r"][:, 0], path["quad_fem_r"][:, -1]
    r_p, r_g, r_q = radius["peri_r"], radius["gem_r"], radius["quad_fem_r"]

    # Subpiriform "scissor": the nerve crosses the gemelli at a fixed fraction of their path and
    # the piriformis at the same distance from the trochanter, so the chord spans the V.
    s_gem = p("nerve_crossing_fraction_gemelli")
    on_gem = gem_origin + s_gem * (gem_insertion - gem_origin)
    from_trochanter = _norm(gem_insertion - on_gem)
    piri_unit = _unit(notch - piri_insertion)
    on_piri = piri_insertion + from_trochanter[:, None] * piri_unit
    chord = on_piri - on_gem
    chord_length = _norm(chord)
    up = chord / chord_length[:, None]
    gap_below = chord_length - r_g - r_p
    below_ends = np.stack([on_gem + r_g[:, None] * up, on_piri - r_p[:, None] * up], axis=1)
    cross_below = on_gem + (r_g + 0.5 * gap_below)[:, None] * up

    # Suprapiriform: distance from the notch's upper margin to the piriformis surface.
    margin = land["sciatic_notch_upper_margin"]
    foot = _foot_on_segment(margin, notch, piri_insertion)
    to_margin = margin - foot
    margin_distance = _norm(to_margin)
    w = to_margin / margin_distance[:, None]
    gap_above = margin_distance - r_p
    above_ends = np.stack([foot + r_p[:, None] * w, margin], axis=1)
    cross_above = foot + (r_p + 0.5 * gap_above)[:, None] * w

    # The nerve lies on the posterior surfaces of the gemelli and quadratus femoris.
    half_nerve = 0.5 * p("nerve_thickness_mm")
    gem_axis = _unit(gem_insertion - gem_origin)
    over_gem = on_gem + (r_g + half_nerve)[:, None] * _perpendicular_towards(gem_axis, _POSTERIOR)
    s_qf = p("nerve_crossing_fraction_quadratus")
    on_qf = qf_origin + s_qf * (qf_insertion - qf_origin)
    qf_axis = _unit(qf_insertion - qf_origin)
    over_qf = on_qf + (r_q + half_nerve)[:, None] * _perpendicular_towards(qf_axis, _POSTERIOR)

    row = nerve_variant_table()[variant]
    routes = {"tibial": row["tibial_route"], "common_peroneal": row["peroneal_route"]}
    divided = row["divided"] == "yes"
    crossing = {"below": cross_below, "above": cross_above, "through": on_piri}
    quarter_width = 0.25 * p("nerve_width_mm") if divided else 0.0
    nerve = {}
    for branch, side in zip(BRANCHES, (-1.0, 1.0), strict=True):
        offset = side * quarter_width * _LATERAL
        nerve[branch] = np.stack([land["sacral_plexus"], crossing[routes[branch]],
                                  over_gem + offset, over_qf + offset,
                                  land["sciatic_nerve_thigh"] + offset,
                                  land["sciatic_nerve_popliteal"] + offset], axis=1)

    ifs_ends = np.stack([land["ischial_tuberosity_ifs_cortex"], land["lesser_trochanter"]],
                        axis=1)
    return {
        "landmarks": land, "paths": path, "outlines": outlines, "lookup": lookup,
        "gap_below": gap_below, "gap_above": gap_above, "up": up, "on_gem": on_gem,
        "on_piri": on_piri, "below_ends": below_ends, "above_ends": above_ends,
        "ifs": _norm(ifs_ends[:, 1] - ifs_ends[:, 0]), "ifs_ends": ifs_ends,
        "nerve": nerve, "routes": routes, "divided": divided,
    }


@cache
def _reference_gap_mm() -> float:
    """Relaxed standing subpiriform gap (mm): the rest room of every piriformis passage."""
    return float(_standing("A")["gap_below"][0])


def _gemelli_bands(path, radius, up_hint):
    """Centre lines and radii of the three bands drawn around ``gem_r`` (top to bottom)."""
    shares = np.array([_parameter(f"gemelli_band_share_{k}")
                       for k in ("superior", "obturator_internus", "inferior")])
    shares = shares / shares.sum()
    axis = _unit(path[:, -1] - path[:, 0])
    up = _perpendicular_towards(axis, up_hint)
    # Offsets of each band's centre from the complex's upper edge, in units of its width 2r.
    top_edge = np.concatenate([[0.0], np.cumsum(shares)[:-1]])
    centre = 1.0 - 2.0 * (top_edge + 0.5 * shares)   # +1 = top edge, -1 = bottom edge
    bands, radii = {}, {}
    for name, c, share in zip(GEMELLI_BANDS, centre, shares, strict=True):
        bands[name] = path + (c * radius)[:, None, None] * up[:, None, :]
        radii[name] = share * radius
    return bands, radii


_GLUTEAL_OUTLINE_POINTS = {
    # (muscle, path point index) in drawing order around each muscle.
    "gluteus_maximus": (("glut_max1_r", 0), ("glut_max2_r", 0), ("glut_max3_r", 0),
                        ("glut_max3_r", 1), ("glut_max3_r", 3), ("glut_max2_r", 3),
                        ("glut_max1_r", 3), ("glut_max1_r", 2), ("glut_max1_r", 1)),
    "gluteus_medius": (("glut_med3_r", 0), ("glut_med2_r", 0), ("glut_med1_r", 0),
                       ("glut_med1_r", 1), ("glut_med2_r", 1), ("glut_med3_r", 1)),
}


def _gluteal_outlines(paths):
    """Outlines of gluteus maximus and medius through their gait2392 path points (drawing)."""
    return {name: np.stack([paths[m][:, j] for m, j in corners], axis=1)
            for name, corners in _GLUTEAL_OUTLINE_POINTS.items()}


def _read_only(array):
    array = np.array(array)
    array.flags.writeable = False
    return array


def _frozen(mapping):
    return MappingProxyType({k: _read_only(v) for k, v in mapping.items()})


def normal_ranges() -> Mapping[str, NormalRange]:
    """Published normal range of each space (mm); NaN where none is published."""
    p = _parameter
    none = NormalRange(float("nan"), float("nan"), "none published")
    return MappingProxyType({
        "subpiriform": none, "suprapiriform": none, "transpiriform": none,
        "ischiofemoral": NormalRange(p("ifs_normal_low_mm"), p("ifs_normal_high_mm"),
                                     "singer2015"),
    })


def deep_gluteal_space(hip_flexion_deg, hip_adduction_deg, hip_rotation_deg, knee_flexion_deg,
                       activation, variant="A") -> SpaceResult:
    """Room and tension of the sciatic nerve in the right deep gluteal space.

    Parameters
    ----------
    hip_flexion_deg, hip_adduction_deg, hip_rotation_deg : array_like
        Hip angles (deg), scalars or 1-D arrays over instants, broadcast together; positive =
        flexion, adduction, internal rotation. Ranges in ``data/space_parameters.csv``
        (flexion -30..120, adduction -45..30, rotation -45..45).
    knee_flexion_deg : array_like
        Knee flexion (deg), positive = bent, -10..120.
    activation : Mapping[str, array_like]
        Activation 0..1 by gait2392 muscle name, broadcastable with the angles. Required:
        ``peri_r``, ``gem_r``, ``quad_fem_r``; optional: the gluteals in ``OPTIONAL_MUSCLES``
        (they are only drawn).
    variant : str
        Beaton-Anson type, one of ``VARIANTS``.

    Returns
    -------
    SpaceResult

    Raises
    ------
    ValueError
        Unknown variant, angles not finite or out of range, activations missing, unknown,
        out of 0..1 or not broadcastable; the message lists what is valid.

    References
    ----------
    See the module docstring and ``docs/MODEL.md, section 11``.
    """
    variant = _check_variant(variant)
    flex, add, rot, knee = _check_angles(
        (hip_flexion_deg, hip_adduction_deg, hip_rotation_deg, knee_flexion_deg))
    n = flex.shape[0]
    active = _check_activation(activation, n)
    p = _parameter
    rest = resting_radius_mm()

    posture_only = _geometry_at(flex, add, rot, variant)
    standing = _standing(variant)
    stretch = {m: _path_length(posture_only["paths"][m]) - _path_length(standing["paths"][m])[0]
               for m in LOADED_MUSCLES}
    load = {m: muscle_load(active[m], stretch[m], p(_FIBRE_LENGTH[m])) for m in LOADED_MUSCLES}
    radius = {m: loaded_radius_mm(rest[m], load[m]) for m in LOADED_MUSCLES}
    g = _geometry_at(flex, add, rot, variant, radius)

    thickness = p("nerve_thickness_mm")
    reference_gap = _reference_gap_mm()
    gap_through = reference_gap - 2.0 * (radius["peri_r"] - rest["peri_r"])
    qf_thickening = (p("thickening_at_full_load") * load["quad_fem_r"] * p("qfs_control_mean_mm"))
    gap = {"subpiriform": g["gap_below"], "suprapiriform": g["gap_above"],
           "transpiriform": gap_through, "ischiofemoral": g["ifs"]}
    clearance = {name: gap[name] - thickness
                 for name in ("subpiriform", "suprapiriform", "transpiriform")}
    cutoff = p("ifs_impingement_cutoff_mm")
    clearance["ischiofemoral"] = g["ifs"] - qf_thickening - cutoff
    free_nerve_room = reference_gap - thickness
    free_qf_room = p("ifs_control_mean_mm") - cutoff
    index = {name: np.clip(1.0 - clearance[name] / free_nerve_room, 0.0, 1.0)
             for name in ("subpiriform", "suprapiriform", "transpiriform")}
    index["ischiofemoral"] = np.clip(1.0 - clearance["ischiofemoral"] / free_qf_room, 0.0, 1.0)

    route_spaces = tuple(dict.fromkeys(
        [PASSAGE_OF_ROUTE[g["routes"][b]] for b in BRANCHES] + ["ischiofemoral"]))
    stacked_index = np.stack([index[s] for s in route_spaces])
    stacked_clearance = np.stack([clearance[s] for s in route_spaces])
    # Highest index first; among equals the smallest clearance (index is clipped at 0 and 1).
    order_key = stacked_index * 1.0e6 - stacked_clearance
    which = np.argmax(order_key, axis=0)
    columns = np.arange(n)
    narrowest = np.array(route_spaces)[which]
    ends = {"subpiriform": g["below_ends"], "suprapiriform": g["above_ends"],
            "ischiofemoral": g["ifs_ends"]}
    mid = g["on_piri"]
    ends["transpiriform"] = np.stack([mid - 0.5 * gap_through[:, None] * g["up"],
                                      mid + 0.5 * gap_through[:, None] * g["up"]], axis=1)
    dimension = np.stack([ends[s] for s in route_spaces])[which, columns]

    lengthening = _nerve_bed_lengthening_mm(posture_only, flex, knee, variant)

    paths = dict(g["paths"])
    radii = dict(radius)
    bands, band_radii = _gemelli_bands(paths["gem_r"], radius["gem_r"], _SUPERIOR)
    paths.update(bands)
    radii.update(band_radii)
    shapes = {role: np.stack([g["lookup"](k) for k in keys], axis=1)
              for role, keys in g["outlines"].items()}
    outlines = {role.split(":", 1)[1]: pts for role, pts in shapes.items()
                if role.startswith("outline:")}
    outlines.update(_gluteal_outlines(paths))
    capsules = {role.split(":", 1)[1]: pts for role, pts in shapes.items()
                if role.startswith("capsule:")}

    return SpaceResult(
        variant=variant,
        nerve_divided=g["divided"],
        nerve_route=MappingProxyType(dict(g["routes"])),
        route_spaces=route_spaces,
        hip_flexion_deg=_read_only(flex), hip_adduction_deg=_read_only(add),
        hip_rotation_deg=_read_only(rot), knee_flexion_deg=_read_only(knee),
        landmarks_mm=_frozen(g["landmarks"]),
        outlines_mm=_frozen(outlines),
        capsules_mm=_frozen(capsules),
        capsule_radius_mm=MappingProxyType(
            {name: _parameter(f"{name}_radius_mm") for name in capsules}),
        muscle_paths_mm=_frozen(paths),
        muscle_radius_mm=_frozen(radii),
        muscle_load=_frozen(load),
        muscle_stretch_mm=_frozen(stretch),
        nerve_paths_mm=_frozen(g["nerve"]),
        gap_mm=_frozen(gap),
        clearance_mm=_frozen(clearance),
        compression_index=_frozen(index),
        subpiriform_gap_mm=_read_only(gap["subpiriform"]),
        ischiofemoral_space_mm=_read_only(gap["ischiofemoral"]),
        compression_index_overall=_read_only(stacked_index.max(axis=0)),
        nerve_compression_index=_frozen(
            {b: np.maximum(index[PASSAGE_OF_ROUTE[g["routes"][b]]], index["ischiofemoral"])
             for b in BRANCHES}),
        narrowest_space=_read_only(narrowest),
        narrowest_clearance_mm=_read_only(stacked_clearance[which, columns]),
        dimension_line_mm=_read_only(dimension),
        nerve_bed_lengthening_mm=_read_only(lengthening),
        nerve_strain_pct=_read_only(100.0 * lengthening / whole_nerve_length_mm(variant)),
        nerve_tension_index=_read_only(lengthening / _slr_lengthening_mm(variant)),
        nerve_strain_source=NERVE_STRAIN_SOURCE,
        normal_ranges=normal_ranges(),
    )


NERVE_STRAIN_SOURCE = (
    "nerve-bed lengthening from the gait2392 geometry (model) plus the knee-extension excursion "
    "of ridehalgh2014 (measured); strain = lengthening / whole nerve length, evenly shared "
    "(teaching assumption)")
"""Where the nerve tension numbers come from (also in ``SpaceResult.nerve_strain_source``)."""

RELAXED = MappingProxyType({name: 0.0 for name in LOADED_MUSCLES})
"""Activation of a relaxed person: every deep rotator at 0."""


@cache
def healthy_reference(variant: str = "A") -> SpaceResult:
    """The healthy reference: relaxed, standing upright (all angles 0), for drawing a ghost."""
    return deep_gluteal_space(0.0, 0.0, 0.0, 0.0, RELAXED, _check_variant(variant))
