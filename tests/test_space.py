"""Tests of the deep gluteal space model (deepgluteal.space): ranges, directions, routes, errors."""

from __future__ import annotations

import numpy as np
import pytest

from deepgluteal.datafiles import read_csv_columns
from deepgluteal.space import (
    BRANCHES,
    LOADED_MUSCLES,
    PASSAGE_OF_ROUTE,
    RELAXED,
    SPACES,
    VARIANTS,
    deep_gluteal_space,
    healthy_reference,
    nerve_variant_table,
    resting_radius_mm,
    space_parameters,
)

NEUTRAL = (0.0, 0.0, 0.0, 0.0)
FAIR = (60.0, 20.0, 20.0, 90.0)          # flexion, adduction, internal rotation
OPPOSITE_OF_FAIR = (-10.0, -15.0, -20.0, 0.0)  # extension, abduction, external rotation


def relaxed_at(posture, variant="A"):
    return deep_gluteal_space(*posture, RELAXED, variant)


def deep_rotators(level):
    return {name: level for name in LOADED_MUSCLES}


# ------------------------------------------------------------------ normal ranges at neutral


def test_neutral_ischiofemoral_space_is_in_the_published_control_range():
    ifs = float(healthy_reference().ischiofemoral_space_mm[0])
    low, high, source = healthy_reference().normal_ranges["ischiofemoral"]
    assert 23.0 <= ifs <= 28.0  # control means of torriani2009, singer2015, barros2019
    assert low <= ifs <= high
    assert source == "singer2015"


def test_the_calibrated_landmarks_say_so_in_the_data():
    table = read_csv_columns("space_landmarks.csv")
    rows = {name: i for i, name in enumerate(table["name"])}
    for name in ("ischial_tuberosity_ifs_cortex", "sciatic_notch_upper_margin"):
        i = rows[name]
        assert table["evidence"][i] == "estimate"
        assert table["note"][i].startswith("CALIBRATED")


def test_neutral_relaxed_state_is_free():
    reference = healthy_reference()
    # Calibrated landmarks are stored to 0.01 mm, hence the small tolerance.
    for space in SPACES:
        assert reference.compression_index[space][0] == pytest.approx(0.0, abs=1e-3)
    assert reference.compression_index_overall[0] == pytest.approx(0.0, abs=1e-3)
    assert reference.nerve_strain_pct[0] == pytest.approx(0.0, abs=1e-9)
    # The rest room of every piriformis passage is the same (no published sizes differ).
    gaps = [reference.gap_mm[s][0] for s in ("subpiriform", "suprapiriform", "transpiriform")]
    assert np.ptp(gaps) < 0.05


def test_subpiriform_room_at_rest_holds_the_nerve():
    reference = healthy_reference()
    thickness = space_parameters()["nerve_thickness_mm"]
    assert reference.subpiriform_gap_mm[0] > thickness
    assert reference.clearance_mm["subpiriform"][0] == pytest.approx(
        reference.subpiriform_gap_mm[0] - thickness)


# ------------------------------------------------------------------ postures


def test_scissor_gap_closes_in_the_fair_position():
    assert relaxed_at(FAIR).subpiriform_gap_mm[0] < relaxed_at(NEUTRAL).subpiriform_gap_mm[0]


def test_scissor_gap_opens_in_the_opposite_position():
    assert (relaxed_at(OPPOSITE_OF_FAIR).subpiriform_gap_mm[0]
            > relaxed_at(NEUTRAL).subpiriform_gap_mm[0])


def test_sitting_narrows_the_scissor_and_stretches_the_nerve():
    sitting = relaxed_at((90.0, 0.0, 0.0, 90.0))
    standing = relaxed_at(NEUTRAL)
    assert sitting.subpiriform_gap_mm[0] < standing.subpiriform_gap_mm[0]
    assert sitting.nerve_strain_pct[0] > standing.nerve_strain_pct[0]


@pytest.mark.parametrize("narrowing, widening", [
    ((0.0, 15.0, 0.0, 0.0), (0.0, -15.0, 0.0, 0.0)),    # adduction / abduction
    ((0.0, 0.0, -20.0, 0.0), (0.0, 0.0, 20.0, 0.0)),    # external / internal rotation
    ((-15.0, 0.0, 0.0, 0.0), (30.0, 0.0, 0.0, 0.0)),    # extension / flexion
])
def test_ischiofemoral_space_narrows_and_widens_as_published(narrowing, widening):
    neutral = relaxed_at(NEUTRAL).ischiofemoral_space_mm[0]
    assert relaxed_at(narrowing).ischiofemoral_space_mm[0] < neutral
    assert relaxed_at(widening).ischiofemoral_space_mm[0] > neutral


def test_femur_landmarks_move_and_pelvis_landmarks_stay():
    neutral, flexed = relaxed_at(NEUTRAL), relaxed_at((45.0, 0.0, 0.0, 0.0))
    assert not np.allclose(neutral.landmarks_mm["greater_trochanter"],
                           flexed.landmarks_mm["greater_trochanter"])
    np.testing.assert_allclose(neutral.landmarks_mm["ischial_spine"],
                               flexed.landmarks_mm["ischial_spine"])


# ------------------------------------------------------------------ muscle load


def test_more_deep_rotator_activation_means_less_clearance():
    levels = (0.0, 0.25, 0.5, 1.0)
    results = [deep_gluteal_space(*NEUTRAL, deep_rotators(a)) for a in levels]
    for space in ("subpiriform", "ischiofemoral"):
        clearance = [r.clearance_mm[space][0] for r in results]
        assert np.all(np.diff(clearance) < 0), space
    index = [r.compression_index_overall[0] for r in results]
    assert np.all(np.diff(index) > 0)


def test_each_blade_of_the_scissor_narrows_the_gap_on_its_own():
    relaxed = deep_gluteal_space(*NEUTRAL, RELAXED).subpiriform_gap_mm[0]
    for muscle in ("peri_r", "gem_r"):
        active = dict(RELAXED, **{muscle: 0.8})
        assert deep_gluteal_space(*NEUTRAL, active).subpiriform_gap_mm[0] < relaxed


def test_thickening_follows_the_named_parameter():
    full = deep_gluteal_space(*NEUTRAL, deep_rotators(1.0))
    kappa = space_parameters()["thickening_at_full_load"]
    for muscle in LOADED_MUSCLES:
        assert full.muscle_radius_mm[muscle][0] == pytest.approx(
            resting_radius_mm()[muscle] * (1.0 + kappa))


def test_compression_index_reaches_one_when_no_room_is_left():
    full = deep_gluteal_space(*NEUTRAL, deep_rotators(1.0))
    assert full.clearance_mm["subpiriform"][0] <= 0.0
    assert full.compression_index["subpiriform"][0] == 1.0
    for space in SPACES:
        assert 0.0 <= full.compression_index[space][0] <= 1.0


def test_stretch_loads_a_relaxed_muscle():
    fair = relaxed_at(FAIR)
    assert fair.muscle_stretch_mm["peri_r"][0] > 0.0
    assert fair.muscle_load["peri_r"][0] > 0.0
    assert relaxed_at((0.0, 0.0, -30.0, 0.0)).muscle_load["peri_r"][0] == 0.0  # slackened


# ------------------------------------------------------------------ nerve tension


def test_nerve_tension_grows_with_hip_flexion_and_knee_extension():
    slr = relaxed_at((70.0, 0.0, 0.0, 0.0))
    knee_bent = relaxed_at((70.0, 0.0, 0.0, 90.0))
    hip_less = relaxed_at((30.0, 0.0, 0.0, 0.0))
    assert slr.nerve_strain_pct[0] > knee_bent.nerve_strain_pct[0]
    assert slr.nerve_strain_pct[0] > hip_less.nerve_strain_pct[0] > 0.0
    assert relaxed_at((90.0, 0.0, 0.0, 0.0)).nerve_tension_index[0] == pytest.approx(1.0)


def test_knee_term_uses_the_measured_excursion():
    # Knee extension 90 -> 0 deg at 30 deg hip flexion lengthens the bed by ridehalgh2014's
    # excursion (the hip part is the same in both postures).
    bent = relaxed_at((30.0, 0.0, 0.0, 90.0)).nerve_bed_lengthening_mm[0]
    straight = relaxed_at((30.0, 0.0, 0.0, 0.0)).nerve_bed_lengthening_mm[0]
    assert straight - bent == pytest.approx(
        space_parameters()["knee_extension_excursion_hip30_mm"])


# ------------------------------------------------------------------ variants


def _side_of_piriformis(result, branch):
    """Signed distance (mm) of a division's crossing point from the piriformis surface:
    negative below, positive above, and whether it lies within the muscle."""
    notch = result.landmarks_mm["greater_sciatic_notch"][0]
    insertion = result.muscle_paths_mm["peri_r"][0][-1]
    crossing = result.nerve_paths_mm[branch][0][1]
    axis = (insertion - notch) / np.linalg.norm(insertion - notch)
    offset = crossing - notch
    offset -= np.dot(offset, axis) * axis
    distance = np.linalg.norm(offset)
    up = np.sign(offset[1])
    return up * distance, distance < result.muscle_radius_mm["peri_r"][0]


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_routes_the_nerve_where_its_definition_says(variant):
    result = relaxed_at(NEUTRAL, variant)
    row = nerve_variant_table()[variant]
    routes = {"tibial": row["tibial_route"], "common_peroneal": row["peroneal_route"]}
    assert dict(result.nerve_route) == routes
    assert result.nerve_divided == (row["divided"] == "yes")
    radius = result.muscle_radius_mm["peri_r"][0]
    for branch in BRANCHES:
        signed, inside = _side_of_piriformis(result, branch)
        if routes[branch] == "through":
            assert inside
        elif routes[branch] == "below":
            assert signed < -radius
        else:
            assert signed > radius
    same_path = np.allclose(result.nerve_paths_mm["tibial"],
                            result.nerve_paths_mm["common_peroneal"])
    assert same_path == (not result.nerve_divided)
    assert set(result.route_spaces) == {PASSAGE_OF_ROUTE[r] for r in routes.values()} | {
        "ischiofemoral"}


def test_definitions_match_beaton_anson():
    table = nerve_variant_table()
    assert (table["A"]["divided"], table["A"]["tibial_route"]) == ("no", "below")
    assert (table["B"]["peroneal_route"], table["B"]["tibial_route"]) == ("through", "below")
    assert (table["C"]["peroneal_route"], table["C"]["tibial_route"]) == ("above", "below")
    assert (table["D"]["divided"], table["D"]["tibial_route"]) == ("no", "through")
    assert (table["E"]["peroneal_route"], table["E"]["tibial_route"]) == ("above", "through")
    assert (table["F"]["divided"], table["F"]["tibial_route"]) == ("no", "above")
    assert float(table["A"]["prevalence_pct"]) == 85.2
    assert table["A"]["prevalence_source"] == "tomaszewski2016"


def test_a_nerve_through_the_piriformis_suffers_most_from_its_contraction():
    active = dict(RELAXED, peri_r=0.8)
    through = deep_gluteal_space(*NEUTRAL, active, "D").narrowest_clearance_mm[0]
    below = deep_gluteal_space(*NEUTRAL, active, "A").clearance_mm["subpiriform"][0]
    assert through < below


# ------------------------------------------------------------------ result shape


def test_vectorised_over_instants_matches_single_instants():
    flex = np.array([-10.0, 0.0, 30.0, 60.0])
    add = np.array([5.0, 0.0, -5.0, 20.0])
    rot = np.array([-10.0, 0.0, 10.0, 20.0])
    knee = np.array([10.0, 0.0, 60.0, 90.0])
    activation = {"peri_r": np.array([0.1, 0.0, 0.5, 0.2]), "gem_r": 0.3, "quad_fem_r": 0.1}
    many = deep_gluteal_space(flex, add, rot, knee, activation, "C")
    assert many.n_instants == 4
    for i in range(4):
        one = deep_gluteal_space(flex[i], add[i], rot[i], knee[i],
                                 {k: np.atleast_1d(v)[i % np.size(v)]
                                  for k, v in activation.items()}, "C")
        for space in SPACES:
            assert many.clearance_mm[space][i] == pytest.approx(one.clearance_mm[space][0])
        assert many.narrowest_space[i] == one.narrowest_space[0]
        np.testing.assert_allclose(many.nerve_paths_mm["tibial"][i],
                                   one.nerve_paths_mm["tibial"][0])


def test_result_arrays_are_read_only():
    result = relaxed_at(NEUTRAL)
    with pytest.raises(ValueError):
        result.subpiriform_gap_mm[0] = 1.0
    with pytest.raises(TypeError):
        result.gap_mm["subpiriform"] = np.zeros(1)


def test_narrowest_space_is_the_tightest_route_space():
    result = deep_gluteal_space(*NEUTRAL, dict(RELAXED, peri_r=0.9, gem_r=0.9), "A")
    assert result.narrowest_space[0] == "subpiriform"
    assert result.narrowest_clearance_mm[0] == pytest.approx(
        result.clearance_mm["subpiriform"][0])
    length = np.linalg.norm(np.diff(result.dimension_line_mm[0], axis=0))
    assert length == pytest.approx(result.subpiriform_gap_mm[0], abs=1e-6)


# ------------------------------------------------------------------ bad input


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(ValueError, match="A, B, C, D, E, F"):
        deep_gluteal_space(*NEUTRAL, RELAXED, "G")


@pytest.mark.parametrize("index, value, name", [
    (0, 150.0, "hip_flexion_deg"), (1, -60.0, "hip_adduction_deg"),
    (2, 50.0, "hip_rotation_deg"), (3, 170.0, "knee_flexion_deg"),
])
def test_angle_out_of_range_names_parameter_unit_and_range(index, value, name):
    posture = list(NEUTRAL)
    posture[index] = value
    with pytest.raises(ValueError) as error:
        deep_gluteal_space(*posture, RELAXED)
    message = str(error.value)
    assert name in message and "deg" in message and " to " in message


def test_nan_angle_is_refused():
    with pytest.raises(ValueError, match="hip_rotation_deg"):
        deep_gluteal_space(0.0, 0.0, np.array([0.0, np.nan]), 0.0, RELAXED)


@pytest.mark.parametrize("activation, expected", [
    ({"peri_r": 0.1, "gem_r": 0.1}, "quad_fem_r"),
    ({**RELAXED, "obturator_internus": 0.2}, "optional"),
    ({**RELAXED, "peri_r": 1.5}, "between 0 and 1"),
    ({**RELAXED, "gem_r": float("nan")}, "between 0 and 1"),
])
def test_bad_activation_lists_what_is_valid(activation, expected):
    with pytest.raises(ValueError, match=expected):
        deep_gluteal_space(*NEUTRAL, activation)


# ------------------------------------------------------------------ data tables


@pytest.mark.parametrize("name", ["space_landmarks.csv", "space_parameters.csv"])
def test_every_number_has_a_source_and_an_evidence_grade(name):
    table = read_csv_columns(name)
    allowed = {"measured", "model", "estimate", "teaching assumption"}
    assert all(table["source"]), name
    assert set(table["evidence"]) <= allowed


def test_variant_prevalence_has_sources():
    table = read_csv_columns("nerve_variants.csv")
    assert set(table["variant"]) == set(VARIANTS)
    for i, pct in enumerate(table["prevalence_pct"]):
        assert table["prevalence_source"][i]
        if pct:
            assert float(table["ci_low_pct"][i]) <= float(pct) <= float(table["ci_high_pct"][i])


def test_every_source_key_is_a_reference():
    references = set(read_csv_columns("references.csv")["key"]) | {"this_project"}
    columns = {"space_landmarks.csv": ("source",), "space_parameters.csv": ("source",),
               "nerve_variants.csv": ("prevalence_source", "definition_source")}
    for name, keys in columns.items():
        table = read_csv_columns(name)
        for column in keys:
            for value in table[column]:
                assert set(value.split(";")) <= references, (name, value)
