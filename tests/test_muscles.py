"""Muscle geometry: moment arms come from the paths (-dL/dq) and match published model values."""

from __future__ import annotations

import numpy as np
import pytest

from deepgluteal.datafiles import read_csv_columns, read_json
from deepgluteal.frames import femur_to_pelvis_rotation, hip_centre_in_pelvis_m
from deepgluteal.kinematics import model_constant
from deepgluteal.muscles import (
    evaluate_spline,
    hip_axes,
    muscle_paths,
    muscle_table,
    simm_spline,
    tibia_in_femur,
)

EVIDENCE = {"measured", "model", "estimate", "teaching assumption"}


def _index(name):
    return muscle_table().names.index(name)


def _rotation_arm_mm(name, flexion_deg, adduction_deg=0.0, rotation_deg=0.0):
    paths = muscle_paths(flexion_deg, adduction_deg, rotation_deg, 0.0)
    return 1000 * paths.moment_arm_m[:, _index(name), 2]


def test_piriformis_is_an_external_rotator_of_29_to_32_mm_at_neutral():
    arm = _rotation_arm_mm("peri_r", 0.0)[0]
    assert -32.0 <= arm <= -29.0


def test_piriformis_turns_internal_rotator_between_45_and_65_deg_of_flexion():
    flexion = np.arange(0.0, 120.01, 0.25)
    arm = _rotation_arm_mm("peri_r", flexion)
    crossings = flexion[1:][np.diff(np.sign(arm)) != 0]
    assert len(crossings) == 1
    assert 45.0 < crossings[0] < 65.0
    assert np.all(arm[flexion < 45] < 0) and np.all(arm[flexion > 65] > 0)


@pytest.mark.parametrize("name,expected_cm", [
    # Facts sheet section 2.2 [M]: gait2392 rotation moment arms at 0/30/60/90 deg flexion.
    ("peri_r", (-2.9, -1.4, 0.1, 1.5)),
    ("gem_r", (-3.2, -3.3, -2.5, -1.2)),
    ("quad_fem_r", (-4.0, -4.7, -4.0, -2.8)),
    ("glut_med1_r", (2.0, 3.9, 5.0, 5.1)),
    ("glut_med3_r", (-3.0, -0.7, 1.1, 2.4)),
    ("glut_min1_r", (1.8, 3.6, 4.6, 4.6)),
    ("glut_max1_r", (-2.1, -0.4, 1.0, 2.0)),
    ("tfl_r", (0.6, 2.1, 3.5, 4.7)),
])
def test_rotation_moment_arms_match_the_facts_sheet(name, expected_cm):
    arm_cm = _rotation_arm_mm(name, [0.0, 30.0, 60.0, 90.0]) / 10
    np.testing.assert_allclose(arm_cm, expected_cm, atol=0.051)


def test_abduction_and_extension_moment_arms_at_neutral_match_the_facts_sheet():
    paths = muscle_paths(0.0, 0.0, 0.0, 0.0)
    for name, abduction_cm in [("glut_med1_r", -4.8), ("glut_med2_r", -4.4),
                               ("glut_med3_r", -3.5), ("glut_min2_r", -4.2), ("tfl_r", -4.9),
                               ("peri_r", -2.0), ("gem_r", 1.2), ("quad_fem_r", 4.2),
                               ("glut_max3_r", 5.0)]:
        assert 100 * paths.moment_arm_m[0, _index(name), 1] == pytest.approx(abduction_cm,
                                                                            abs=0.051)
    for name, extension_cm in [("glut_max1_r", 4.6), ("glut_max2_r", 5.6), ("glut_max3_r", 7.3)]:
        assert -100 * paths.moment_arm_m[0, _index(name), 0] == pytest.approx(extension_cm,
                                                                             abs=0.051)


# Through the range of walking and standing; in deep flexion gluteus maximus takes over
# (at 90 deg it has the larger abduction capacity in gait2392).
@pytest.mark.parametrize("flexion_deg", [-20.0, 0.0, 20.0, 45.0])
def test_gluteus_medius_is_the_main_abductor(flexion_deg):
    table = muscle_table()
    paths = muscle_paths(flexion_deg, 0.0, 0.0, 0.0)
    capacity = -paths.moment_arm_m[0, :, 1] * table.max_isometric_force_N["gait2392"]
    anatomical = {}
    for name, value in zip(table.names, capacity, strict=True):
        key = name.removesuffix("_r").rstrip("0123456789")
        anatomical[key] = anatomical.get(key, 0.0) + max(value, 0.0)
    assert max(anatomical, key=anatomical.get) == "glut_med"
    assert np.all(paths.moment_arm_m[0, [_index(f"glut_med{i}_r") for i in (1, 2, 3)], 1] < 0)


@pytest.mark.parametrize("posture", [
    (0.0, 0.0, 0.0, 0.0), (30.0, 5.0, 10.0, 20.0), (-15.0, -8.0, -12.0, 45.0),
    (60.0, 15.0, 15.0, 90.0), (50.0, -5.0, 20.0, 28.0), (100.0, 10.0, -20.0, 110.0),
])
def test_moment_arms_are_minus_dl_dq_of_the_path(posture):
    step_deg = 1e-4
    analytic = muscle_paths(*posture).moment_arm_m[0]
    for k in range(3):
        plus, minus = list(posture), list(posture)
        plus[k] += step_deg
        minus[k] -= step_deg
        numeric = -(muscle_paths(*plus).length_m[0] - muscle_paths(*minus).length_m[0]) / (
            2 * np.radians(step_deg))
        np.testing.assert_allclose(analytic[:, k], numeric, atol=1e-7)


def test_joint_axes_are_the_derivatives_of_the_hip_rotation():
    rng = np.random.default_rng(3)
    angles = rng.uniform(-60, 60, size=(20, 3))
    vector = rng.normal(size=3)
    axes = hip_axes(angles[:, 0], angles[:, 1])
    step = 1e-6
    for k in range(3):
        plus, minus = angles.copy(), angles.copy()
        plus[:, k] += np.degrees(step)
        minus[:, k] -= np.degrees(step)
        derivative = (femur_to_pelvis_rotation(*plus.T) @ vector
                      - femur_to_pelvis_rotation(*minus.T) @ vector) / (2 * step)
        expected = np.cross(axes[:, :, k], femur_to_pelvis_rotation(*angles.T) @ vector)
        np.testing.assert_allclose(derivative, expected, atol=1e-8)


def test_paths_are_vectorised_over_postures():
    flexion = np.array([-10.0, 0.0, 35.0, 70.0])
    adduction = np.array([5.0, -5.0, 10.0, 0.0])
    rotation = np.array([0.0, 10.0, -10.0, 5.0])
    knee = np.array([5.0, 30.0, 60.0, 95.0])
    batch = muscle_paths(flexion, adduction, rotation, knee)
    m = len(muscle_table().names)
    assert batch.moment_arm_m.shape == (4, m, 3)
    assert batch.length_m.shape == (4, m) and batch.pull_on_pelvis.shape == (4, m, 3)
    for i in range(4):
        single = muscle_paths(flexion[i], adduction[i], rotation[i], knee[i])
        np.testing.assert_allclose(batch.moment_arm_m[i], single.moment_arm_m[0], atol=1e-15)
        np.testing.assert_allclose(batch.length_m[i], single.length_m[0], atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(batch.pull_on_pelvis, axis=-1), 1.0)


def test_conditional_path_point_of_psoas_counts_only_below_45_deg_flexion():
    path = read_json("gait2392_hip.json")["muscles"]["psoas_r"]["path"]
    pelvis = [np.array(p["location"]) for p in path[:3]]
    femur = np.array([p["location"] for p in path[3:]])

    def manual_length(flexion_deg, with_conditional):
        distal = hip_centre_in_pelvis_m() + femur @ femur_to_pelvis_rotation(
            flexion_deg, 0.0, 0.0).T
        points = pelvis if with_conditional else pelvis[:2]
        chain = [*points, *distal]
        return sum(np.linalg.norm(b - a) for a, b in zip(chain[:-1], chain[1:], strict=True))

    lengths = muscle_paths([30.0, 60.0], 0.0, 0.0, 0.0).length_m[:, _index("psoas_r")]
    assert lengths[0] == pytest.approx(manual_length(30.0, True), abs=1e-12)
    assert lengths[1] == pytest.approx(manual_length(60.0, False), abs=1e-12)


def test_knee_dependent_points_change_the_hamstring_path_but_not_one_joint_muscles():
    straight = muscle_paths(0.0, 0.0, 0.0, 0.0)
    bent = muscle_paths(0.0, 0.0, 0.0, 90.0)
    table = muscle_table()
    for name in ("semimem_r", "semiten_r", "bifemlh_r", "grac_r", "sar_r", "rect_fem_r"):
        i = table.names.index(name)
        assert abs(bent.length_m[0, i] - straight.length_m[0, i]) > 0.01, name
    for name in ("peri_r", "glut_med2_r", "add_long_r", "iliacus_r"):
        i = table.names.index(name)
        assert bent.length_m[0, i] == pytest.approx(straight.length_m[0, i], abs=1e-15)
    # Hamstrings shorten when the knee bends; rectus femoris lengthens.
    assert bent.length_m[0, _index("semimem_r")] < straight.length_m[0, _index("semimem_r")]
    assert bent.length_m[0, _index("rect_fem_r")] > straight.length_m[0, _index("rect_fem_r")]


def test_simm_spline_passes_through_its_knots_and_reproduces_cubics():
    x = np.array([-2.0, -1.3, -0.2, 0.4, 1.1, 2.5])
    cubic = np.polynomial.Polynomial([0.3, -1.2, 0.7, 0.25])
    spline = simm_spline(x, cubic(x))
    fine = np.linspace(-2.0, 2.5, 301)
    np.testing.assert_allclose(evaluate_spline(spline, fine), cubic(fine), atol=1e-12)
    knee = read_json("gait2392_knee.json")["knee_r"]["tibia_origin_in_femur_y_m"]
    knots = simm_spline(knee["x"], knee["y"])
    np.testing.assert_allclose(evaluate_spline(knots, knee["x"]), knee["y"], atol=1e-15)
    line = simm_spline([0.0, 1.0], [2.0, 4.0])
    assert evaluate_spline(line, 3.0) == pytest.approx(8.0)


def test_tibia_sits_about_40_cm_below_the_hip_and_turns_with_the_knee():
    origin, rotation = tibia_in_femur(np.radians([0.0, -90.0]))
    assert -0.40 < origin[0, 1] < -0.39
    np.testing.assert_allclose(rotation[1] @ [0.0, -1.0, 0.0], [-1.0, 0.0, 0.0], atol=1e-12)


def test_muscle_table_matches_the_geometry_file_and_documents_its_sources():
    table = muscle_table()
    geometry = read_json("gait2392_hip.json")["muscles"]
    assert set(table.names) == set(geometry)
    for name, force in zip(table.names, table.max_isometric_force_N["gait2392"], strict=True):
        assert force == geometry[name]["max_isometric_force_N"]
    columns = read_csv_columns("muscles.csv")
    assert all(columns["source"]) and all(columns["cadaver_source"])
    assert set(columns["evidence"]) | set(columns["cadaver_evidence"]) <= EVIDENCE
    tension = model_constant("specific_tension_N_per_cm2")
    for pcsa, force in zip(columns["cadaver_pcsa_cm2"], columns["cadaver_max_isometric_force_N"],
                           strict=True):
        if pcsa:
            assert float(force) == pytest.approx(float(pcsa) * tension, abs=0.06)
    groups = {g: table.group_mask(g).sum() for g in ("deep_rotators", "glute_med_min",
                                                      "glute_max")}
    assert groups == {"deep_rotators": 3, "glute_med_min": 6, "glute_max": 3}


def test_cadaver_set_has_weaker_deep_rotators_as_the_facts_sheet_warns():
    table = muscle_table()
    gait, cadaver = (table.max_isometric_force_N[s] for s in ("gait2392", "cadaver"))
    piriformis = _index("peri_r")
    assert cadaver[piriformis] == pytest.approx(2.17 * 60, abs=0.1)
    assert gait[piriformis] == 444.0
    deep = table.group_mask("deep_rotators")
    assert cadaver[deep].sum() < 0.7 * gait[deep].sum()


def test_every_model_constant_has_a_source_and_an_evidence_level():
    columns = read_csv_columns("model_constants.csv")
    assert all(columns["source"]) and all(columns["unit"]) and all(columns["description"])
    assert set(columns["evidence"]) <= EVIDENCE
    assert len(set(columns["name"])) == len(columns["name"])
