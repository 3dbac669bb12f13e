"""The whole chain: equilibrium, optimality, Pauwels / in-vivo ranges, and the claimed directions.

Where the model disagrees with a claim of the source text, the test asserts what the model does
and is named ``test_disagreement_...``; docs/MODEL.md explains why.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from deepgluteal.demand import (
    healthy_demand_Nm_per_kg,
    hip_demand_Nm,
    reproject_moments_Nm,
    tilt_pelvis_moments_Nm,
)
from deepgluteal.frames import femur_to_pelvis_rotation
from deepgluteal.kinematics import healthy_posture, posture, walking_trial
from deepgluteal.model import Result, available_max_force_N, simulate
from deepgluteal.muscles import hip_axes, muscle_paths, muscle_table
from deepgluteal.scenario import TASKS, Scenario
from deepgluteal.sharing import share_load, share_load_slsqp

VALGUS = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0)
STRENGTHS = (1.0, 0.8, 0.6, 0.4, 0.2)
SETS = ("gait2392", "cadaver")


def _weight_acceptance_peak_N(result):
    # Dynamic valgus is a weight-acceptance event: loading response to midstance (0-50 %).
    return result.deep_rotators_force_N[result.stance_pct <= 50.0].max()


@pytest.fixture(scope="module")
def walking_grid():
    """Deep-rotator loads over valgus x gluteus medius x gluteus maximus, both strength sets."""
    grid = {}
    for strength_set in SETS:
        shape = (len(VALGUS), len(STRENGTHS), len(STRENGTHS))
        early, mean, peak = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        for (i, v), (j, med), (k, big) in itertools.product(
                enumerate(VALGUS), enumerate(STRENGTHS), enumerate(STRENGTHS)):
            result = simulate(Scenario(valgus_deg=v, glute_med_strength=med,
                                       glute_max_strength=big, strength_set=strength_set))
            early[i, j, k] = _weight_acceptance_peak_N(result)
            mean[i, j, k] = result.deep_rotators_force_N.mean()
            peak[i, j, k] = result.deep_rotators_force_N.max()
        grid[strength_set] = {"early": early, "mean": mean, "peak": peak}
    return grid


# --------------------------------------------------------------------------- structure


def test_result_shapes_units_and_read_only_arrays():
    result = simulate(Scenario(valgus_deg=10, glute_med_strength=0.5))
    m = len(muscle_table().names)
    assert isinstance(result, Result) and result.n_instants == 51
    for name in ("stance_pct", "hip_flexion_deg", "hip_adduction_deg", "hip_rotation_deg",
                 "knee_flexion_deg", "pelvic_drop_deg", "deep_rotators_force_N",
                 "glute_med_min_force_N", "glute_max_force_N", "deep_rotators_activation",
                 "glute_med_min_activation", "glute_max_activation", "deep_rotator_load_ratio",
                 "hip_contact_force_bw", "abductor_force_bw", "feasible",
                 "healthy_deep_rotators_force_N"):
        assert getattr(result, name).shape == (51,), name
    assert result.moment_arm_m.shape == (51, m, 3) == result.muscle_moment_Nm.shape
    assert result.muscle_force_N.shape == result.activation.shape == (51, m)
    assert result.demand_Nm.shape == result.unmet_moment_Nm.shape == (51, 3)
    assert len(result.muscle_names) == m and result.max_force_N.shape == (m,)
    with pytest.raises(ValueError):
        result.muscle_force_N[0, 0] = 1.0
    with pytest.raises(ValueError):
        result.healthy_muscle_force_N[0, 0] = 1.0


@pytest.mark.parametrize("task", TASKS[1:])
def test_static_tasks_have_one_instant_without_a_stance_phase(task):
    result = simulate(Scenario(task=task))
    assert result.n_instants == 1
    assert np.isnan(result.stance_pct[0])


def test_one_walking_instant_is_the_trial_interpolated():
    trial = walking_trial()
    one = simulate(Scenario(stance_pct=20.0))
    whole = simulate(Scenario())
    i = int(np.flatnonzero(trial["stance_pct"] == 20.0)[0])
    assert one.n_instants == 1
    np.testing.assert_allclose(one.muscle_force_N[0], whole.muscle_force_N[i], atol=1e-6)
    between = simulate(Scenario(stance_pct=21.0))
    expected = (trial["hip_flexion_deg"][i] + trial["hip_flexion_deg"][i + 1]) / 2
    assert between.hip_flexion_deg[0] == pytest.approx(expected)


def test_simulate_is_pure_and_rejects_other_inputs():
    scenario = Scenario(valgus_deg=7, glute_max_strength=0.6)
    first, second = simulate(scenario), simulate(scenario)
    np.testing.assert_array_equal(first.muscle_force_N, second.muscle_force_N)
    assert first.scenario is scenario
    for bad in (None, {"valgus_deg": 5}, "walking"):
        with pytest.raises(ValueError, match="Scenario"):
            simulate(bad)


def test_healthy_scenario_has_load_ratio_one():
    result = simulate(Scenario(body_mass_kg=82))
    np.testing.assert_allclose(result.deep_rotator_load_ratio, 1.0)
    np.testing.assert_allclose(result.muscle_force_N, result.healthy_muscle_force_N, atol=1e-9)
    assert result.deep_rotator_peak_load_ratio == pytest.approx(1.0)


# --------------------------------------------------------------------------- posture and demand


def test_valgus_turns_the_hip_only_in_weight_bearing_tasks():
    for task in TASKS:
        healthy = posture(Scenario(task=task))
        valgus = posture(Scenario(task=task, valgus_deg=20))
        if task in ("walking", "single_leg_stance", "standing"):
            np.testing.assert_allclose(valgus.hip_adduction_deg - healthy.hip_adduction_deg, 10.0)
            np.testing.assert_allclose(valgus.hip_rotation_deg - healthy.hip_rotation_deg, 10.0)
        else:
            np.testing.assert_array_equal(valgus.hip_adduction_deg, healthy.hip_adduction_deg)
        np.testing.assert_array_equal(valgus.hip_flexion_deg, healthy.hip_flexion_deg)
        np.testing.assert_array_equal(valgus.pelvic_drop_deg, healthy.pelvic_drop_deg)


def test_compensation_drops_the_pelvis_only_when_switched_on():
    weak = Scenario(glute_med_strength=0.5)
    np.testing.assert_array_equal(posture(weak).hip_adduction_deg,
                                  healthy_posture("walking").hip_adduction_deg)
    compensated = posture(Scenario(glute_med_strength=0.5, abductor_compensation=True))
    extra = compensated.pelvic_drop_deg - healthy_posture("walking").pelvic_drop_deg
    np.testing.assert_allclose(extra, 5.0)
    np.testing.assert_allclose(
        compensated.hip_adduction_deg - healthy_posture("walking").hip_adduction_deg, 5.0)
    sitting = posture(Scenario(task="sitting", glute_med_strength=0.5, abductor_compensation=True))
    assert sitting.pelvic_drop_deg[0] == 0.0


def test_posture_only_tasks_have_the_documented_angles_and_no_demand():
    sitting = posture(Scenario(task="sitting"))
    assert (sitting.hip_flexion_deg[0], sitting.knee_flexion_deg[0]) == (90.0, 90.0)
    fair = posture(Scenario(task="fair"))
    assert fair.hip_flexion_deg[0] > 45 and fair.hip_adduction_deg[0] > 0
    assert fair.hip_rotation_deg[0] > 0
    for task in ("standing", "sitting", "fair"):
        result = simulate(Scenario(task=task, valgus_deg=10, glute_max_strength=0.3))
        np.testing.assert_array_equal(result.demand_Nm, 0.0)
        np.testing.assert_array_equal(result.muscle_force_N, 0.0)


def test_walking_demand_is_the_trial_scaled_to_body_mass():
    trial = walking_trial()
    for mass in (35.0, 72.6, 160.0):
        result = simulate(Scenario(body_mass_kg=mass))
        np.testing.assert_allclose(result.demand_Nm[:, 1],
                                   trial["hip_adduction_moment_Nm_per_kg"] * mass)


def test_reprojection_keeps_the_physical_moment_and_is_identity_without_a_change():
    healthy = healthy_demand_Nm_per_kg("walking") * 70
    base = healthy_posture("walking")
    same = reproject_moments_Nm(healthy, base.hip_flexion_deg, base.hip_adduction_deg,
                                base.hip_flexion_deg, base.hip_adduction_deg)
    np.testing.assert_allclose(same, healthy, atol=1e-12)
    turned = hip_demand_Nm("walking", 70, base.hip_flexion_deg, base.hip_adduction_deg + 10)
    before = np.linalg.solve(np.swapaxes(hip_axes(base.hip_flexion_deg, base.hip_adduction_deg),
                                         1, 2), healthy[..., None])
    after = np.linalg.solve(np.swapaxes(hip_axes(base.hip_flexion_deg,
                                                 base.hip_adduction_deg + 10), 1, 2),
                            turned[..., None])
    np.testing.assert_allclose(after, before, atol=1e-9)
    # Adduction tilts the femur's long axis: in loading response (hip extensor moment) part of
    # the extension moment now reads as an external-rotation demand.
    loading = slice(2, 8)
    assert np.all(healthy[loading, 0] < 0)
    assert np.all(turned[loading, 2] < healthy[loading, 2])


def _ground_moment(tau, flexion_deg, adduction_deg, pelvis_in_ground):
    """The physical moment in the ground frame of generalised moments ``tau``."""
    in_pelvis = np.linalg.solve(np.swapaxes(hip_axes(flexion_deg, adduction_deg), 1, 2),
                                tau[..., None])[..., 0]
    return np.einsum("nij,nj->ni", pelvis_in_ground, in_pelvis)


def test_a_pelvic_tilt_over_a_fixed_femur_leaves_the_moment_in_the_ground_unchanged():
    # Issue #11: in a contralateral pelvic drop the pelvis tilts over a stance femur that stays
    # put. Put the pelvis level in the ground, tilt it by 5 deg about the femur, and keep the
    # femur's orientation in the ground: the ground-frame moment must not change.
    healthy = healthy_demand_Nm_per_kg("walking") * 70
    base = healthy_posture("walking")
    flex, add, n = base.hip_flexion_deg, base.hip_adduction_deg, len(base.hip_flexion_deg)
    drop = 5.0
    level = np.broadcast_to(np.eye(3), (n, 3, 3))
    femur_in_ground = np.einsum("nij,njk->nik", level, femur_to_pelvis_rotation(flex, add, 0.0))
    tilted = np.einsum("nij,nkj->nik", femur_in_ground,
                       femur_to_pelvis_rotation(flex, add + drop, 0.0))
    before = _ground_moment(healthy, flex, add, level)
    tau = tilt_pelvis_moments_Nm(healthy, flex, add, add + drop)
    np.testing.assert_allclose(_ground_moment(tau, flex, add + drop, tilted), before, atol=1e-9)
    # The femur's long axis does not move, so its rotation demand is exactly the healthy one.
    np.testing.assert_allclose(tau[:, 2], healthy[:, 2], atol=1e-9)
    # The pelvis-frame reading (the moment turning with the pelvis) fails the same check: this
    # is what the switch did before issue #11.
    pelvis_held = reproject_moments_Nm(healthy, flex, add, flex, add + drop)
    moved = _ground_moment(pelvis_held, flex, add + drop, tilted)
    assert np.abs(moved - before).max() > 1.0


def test_the_compensation_switch_holds_the_load_in_the_ground():
    # With the switch on, the drop is a tilt of the pelvis: the rotation demand of walking is
    # the healthy one (valgus, a move of the femur, still changes it).
    for strength in (0.7, 0.5, 0.2):
        on = simulate(Scenario(glute_med_strength=strength, abductor_compensation=True))
        healthy = simulate(Scenario())
        assert on.pelvic_drop_deg.max() > healthy.pelvic_drop_deg.max() + 2.0
        np.testing.assert_allclose(on.demand_Nm[:, 2], healthy.demand_Nm[:, 2], atol=1e-9)
    valgus = simulate(Scenario(valgus_deg=10))
    assert np.abs(valgus.demand_Nm[:, 2] - simulate(Scenario()).demand_Nm[:, 2]).max() > 1.0


def compensation_group_effects(strength: float = 0.5) -> dict[str, tuple[float, float]]:
    """Stance-average and peak force of each group with the switch on / off (ratios)."""
    off = simulate(Scenario(glute_med_strength=strength))
    on = simulate(Scenario(glute_med_strength=strength, abductor_compensation=True))
    effects = {}
    for group in ("deep_rotators", "glute_med_min", "glute_max"):
        a, b = getattr(on, f"{group}_force_N"), getattr(off, f"{group}_force_N")
        effects[group] = (float(a.mean() / b.mean()), float(a.max() / b.max()))
    names = on.muscle_names
    for muscle in ("peri_r", "gem_r", "quad_fem_r"):
        a = on.muscle_force_N[:, names.index(muscle)]
        b = off.muscle_force_N[:, names.index(muscle)]
        effects[muscle] = (float(a.mean() / b.mean()), float(a.max() / b.max()))
    return effects


def test_the_compensation_switch_effect_on_each_group_is_reported(capsys, record_property):
    # Reported, not asserted (issue #11): the numbers go to the test report and MODEL.md 5b.
    for strength in (0.7, 0.5, 0.3):
        effects = compensation_group_effects(strength)
        for name, (mean, peak) in effects.items():
            record_property(f"switch_{strength}_{name}", f"mean x{mean:.2f} peak x{peak:.2f}")
            assert np.isfinite(mean) and np.isfinite(peak)
        with capsys.disabled():
            print(f"\ncompensation switch at glute med {strength:.0%}: " + "; ".join(
                f"{name} mean x{mean:.2f} peak x{peak:.2f}" for name, (mean, peak)
                in effects.items()))


# --------------------------------------------------------------------------- load sharing


def _equilibrium_cases():
    for task, strength_set, valgus, med, big in itertools.product(
            ("walking", "single_leg_stance", "standing"), SETS, (0.0, 12.0, 25.0),
            (1.0, 0.5, 0.2), (1.0, 0.2)):
        yield Scenario(task=task, strength_set=strength_set, valgus_deg=valgus,
                       glute_med_strength=med, glute_max_strength=big)


def test_equilibrium_where_feasible_and_honest_unmet_moment_elsewhere():
    feasible_instants = 0
    for scenario in _equilibrium_cases():
        result = simulate(scenario)
        produced = result.muscle_moment_Nm.sum(axis=1)
        np.testing.assert_allclose(produced + result.unmet_moment_Nm, result.demand_Nm,
                                   atol=1e-9)
        residual = np.abs(produced - result.demand_Nm).max(axis=1)
        assert np.all(residual[result.feasible] < 1e-6)
        assert np.all(result.activation >= 0.0) and np.all(result.activation <= 1.0)
        assert np.all(result.muscle_force_N <= result.max_force_N + 1e-9)
        feasible_instants += result.feasible.sum()
        if scenario.glute_med_strength == 1.0 and scenario.glute_max_strength == 1.0:
            assert result.feasible.all(), scenario
    assert feasible_instants > 1000


def test_too_weak_abductors_leave_an_unmet_abduction_moment_in_single_leg_stance():
    result = simulate(Scenario(task="single_leg_stance", glute_med_strength=0.2))
    assert not result.feasible[0]
    unmet = result.unmet_moment_Nm[0]
    # The shortfall lies along the demand (abduction), by several newton metres.
    assert unmet[1] < -5.0
    assert abs(unmet[0]) < 0.05 * abs(unmet[1]) and abs(unmet[2]) < 0.05 * abs(unmet[1])
    weak_abductors = available_max_force_N(result.scenario)[
        [result.muscle_groups[i] == "glute_med_min" for i in range(len(result.muscle_names))]]
    np.testing.assert_allclose(
        result.muscle_force_N[0, [g == "glute_med_min" for g in result.muscle_groups]]
        .max(), weak_abductors.max(), rtol=1e-9)


@pytest.mark.parametrize("scenario", [
    Scenario(task="single_leg_stance", glute_med_strength=0.2),
    Scenario(task="single_leg_stance", glute_med_strength=0.3, glute_max_strength=0.2,
             valgus_deg=25, strength_set="cadaver"),
    Scenario(glute_med_strength=0.2, glute_max_strength=0.2, valgus_deg=25, body_mass_kg=160),
])
def test_unmet_moment_is_the_shortfall_along_the_demand(scenario):
    # Linear programme: the largest fraction s of the demand the muscles can produce.
    result = simulate(scenario)
    assert not result.feasible.all()
    matrix = np.swapaxes(result.moment_arm_m, 1, 2) * result.max_force_N
    m = matrix.shape[2]
    for i in np.flatnonzero(~result.feasible):
        demand = result.demand_Nm[i]
        program = linprog(np.r_[np.zeros(m), -1.0], A_eq=np.c_[matrix[i], -demand],
                          b_eq=np.zeros(3), bounds=[(0.0, 1.0)] * (m + 1))
        assert program.success
        shortfall = (1.0 - program.x[-1]) * demand
        np.testing.assert_allclose(result.unmet_moment_Nm[i], shortfall,
                                   atol=0.005 * np.linalg.norm(demand))


@pytest.mark.parametrize("scenario", [
    Scenario(), Scenario(valgus_deg=15, glute_med_strength=0.4, glute_max_strength=0.4),
    Scenario(strength_set="cadaver", glute_max_strength=0.3),
])
def test_static_optimisation_matches_slsqp(scenario):
    pose = posture(scenario)
    paths = muscle_paths(pose.hip_flexion_deg, pose.hip_adduction_deg, pose.hip_rotation_deg,
                         pose.knee_flexion_deg)
    demand = hip_demand_Nm(scenario.task, scenario.body_mass_kg, pose.hip_flexion_deg,
                           pose.hip_adduction_deg)
    per_activation = np.swapaxes(paths.moment_arm_m, 1, 2) * available_max_force_N(scenario)
    ours = share_load(per_activation, demand)
    instants = [3, 10, 25, 48]
    reference = share_load_slsqp(per_activation[instants], demand[instants])
    for i, expected in zip(instants, reference, strict=True):
        ours_cost = 0.5 * ours.activation[i] @ ours.activation[i]
        assert ours_cost <= 0.5 * expected @ expected * (1 + 1e-6) + 1e-10
        np.testing.assert_allclose(ours.activation[i], expected, atol=1e-4)


# --------------------------------------------------------------------------- validation numbers


@pytest.mark.parametrize("strength_set", SETS)
def test_single_leg_stance_matches_pauwels_and_in_vivo_ranges(strength_set):
    result = simulate(Scenario(task="single_leg_stance", strength_set=strength_set))
    # Facts sheet section 4: Pauwels' abductor force 2.24 BW (sensitivity 1.53-3.1 BW);
    # contact 3.0 BW (2.33-3.85 BW); in vivo one-leg stance 2.61 +- 0.29 BW (2.19-3.28).
    assert 1.5 <= result.abductor_force_bw[0] <= 3.1
    assert 2.2 <= result.hip_contact_force_bw[0] <= 3.85
    assert result.hip_contact_force_bw[0] > result.abductor_force_bw[0]
    groups = {g: result.muscle_force_N[0, [x == g for x in result.muscle_groups]].sum()
              for g in set(result.muscle_groups)}
    assert max(groups, key=groups.get) == "glute_med_min"


def test_walking_contact_force_is_in_the_range_of_static_optimisation_estimates():
    result = simulate(Scenario())
    peak = result.hip_contact_force_bw.max()
    # In vivo (Bergmann 2016) 2.47 +- 0.20 BW; the model overestimates it (docs/MODEL.md).
    assert 2.47 < peak < 3.5
    assert result.hip_contact_force_bw.min() > 0.5


def test_walking_demand_peaks_are_those_of_the_trial():
    result = simulate(Scenario(body_mass_kg=72.6))
    # Facts sheet 3.1: abduction 42.0 N m, extension 58.5, flexion 53.0, ER 10.1, IR 6.9 N m
    # over the whole trial; the right stance holds the abduction and extension peaks.
    assert -result.demand_Nm[:, 1].min() == pytest.approx(42.0, abs=0.5)
    assert -result.demand_Nm[:, 0].min() == pytest.approx(58.5, abs=1.0)


# --------------------------------------------------------------------------- claimed directions


@pytest.mark.parametrize("strength_set", SETS)
def test_weaker_gluteus_maximus_raises_the_deep_rotator_load(walking_grid, strength_set):
    grid = walking_grid[strength_set]
    # Along every line of the grid (any valgus, any gluteus medius strength), weakening
    # gluteus maximus never lowers and, over the stance, always raises the deep rotators' load.
    assert np.all(np.diff(grid["mean"], axis=2) > 0)
    assert np.all(np.diff(grid["early"], axis=2) > 0)
    assert np.all(np.diff(grid["peak"], axis=2) > -1e-6)


@pytest.mark.parametrize("strength_set", SETS)
def test_weaker_gluteus_medius_and_maximus_together_raise_it(walking_grid, strength_set):
    grid = walking_grid[strength_set]
    for key in ("mean", "early", "peak"):
        diagonal = np.stack([grid[key][:, j, j] for j in range(len(STRENGTHS))], axis=1)
        assert np.all(np.diff(diagonal, axis=1) > 0), key


@pytest.mark.parametrize("strength_set", SETS)
def test_more_valgus_driven_adduction_raises_the_peak_load(walking_grid, strength_set):
    grid = walking_grid[strength_set]
    assert np.all(np.diff(grid["early"], axis=0) > 0)
    # Whole stance: from 15 deg on, at every strength.
    assert np.all(np.diff(grid["peak"][3:], axis=0) > 0)


@pytest.mark.parametrize("strength_set", SETS)
def test_valgus_and_weakness_together_raise_it_most(walking_grid, strength_set):
    early = walking_grid[strength_set]["early"]
    v15 = VALGUS.index(15.0)
    for j, k in itertools.product(range(len(STRENGTHS)), repeat=2):
        if (j, k) == (0, 0):
            continue
        combined = early[v15, j, k]
        assert combined > early[v15, 0, 0] and combined > early[0, j, k]
    assert early[-1, -1, -1] == early.max()


def test_the_answers_differ_between_strength_sets_but_not_in_direction(walking_grid):
    gait, cadaver = walking_grid["gait2392"]["peak"], walking_grid["cadaver"]["peak"]
    assert gait[0, 0, 0] > 1.3 * cadaver[0, 0, 0]
    ratio_gait = gait[3, 3, 3] / gait[0, 0, 0]
    ratio_cadaver = cadaver[3, 3, 3] / cadaver[0, 0, 0]
    assert ratio_gait > 1.5 and ratio_cadaver > 1.5


# --------------------------------------------------------------------------- disagreements


def test_disagreement_whole_stance_peak_dips_with_mild_valgus(walking_grid):
    # The healthy whole-stance peak is at push-off (~96 % stance), where the hip flexion moment,
    # seen about an adducted femur, becomes an internal-rotation demand: the push-off peak falls
    # with valgus while the loading-response peak rises. At full strength the whole-stance peak
    # therefore first falls (0 -> 5 deg) before it rises.
    peak = walking_grid["gait2392"]["peak"][:, 0, 0]
    assert peak[1] < peak[0] < peak[3]
    healthy = simulate(Scenario())
    assert healthy.stance_pct[healthy.deep_rotators_force_N.argmax()] > 90


def test_disagreement_valgus_lowers_deep_rotator_load_in_single_leg_stance():
    # Quasi-static single-leg stance has no rotation demand: the deep rotators only balance the
    # internal-rotation side effect of the anterior abductors. Valgus' internal rotation shrinks
    # that side effect (anterior gluteus medius IR arm 2.0 -> 1.7 cm) and lengthens the
    # external-rotation arm of gluteus maximus, so less deep-rotator force is needed.
    for strength_set in SETS:
        loads = [simulate(Scenario(task="single_leg_stance", valgus_deg=v,
                                   strength_set=strength_set)).deep_rotators_force_N[0]
                 for v in (0.0, 10.0, 20.0)]
        assert loads[0] > loads[1] > loads[2]


def test_disagreement_weak_gluteus_medius_alone_does_not_load_the_deep_rotators_in_loading():
    # The source text names gluteus medius weakness too. In the model, weak gluteus medius
    # raises the push-off peak (the deep rotators help abduct) but leaves the weight-acceptance
    # peak unchanged; the stance-average even falls with the gait2392 strengths.
    loads = [simulate(Scenario(glute_med_strength=s)) for s in (1.0, 0.6, 0.2)]
    early = [_weight_acceptance_peak_N(r) for r in loads]
    assert max(early) - min(early) < 0.1 * early[0]
    assert loads[2].deep_rotators_force_N.max() > 1.3 * loads[0].deep_rotators_force_N.max()
    assert loads[2].deep_rotators_force_N.mean() < loads[0].deep_rotators_force_N.mean()


def test_disagreement_weak_gluteus_medius_unloads_the_deep_rotators_in_single_leg_stance():
    # Upper gluteus maximus (abductor and external rotator) takes over the abduction; its
    # external rotation needs no deep-rotator help. Far below, the demand cannot be met.
    loads = {s: simulate(Scenario(task="single_leg_stance", glute_med_strength=s))
             for s in (1.0, 0.6, 0.4, 0.2)}
    force = {s: r.deep_rotators_force_N[0] for s, r in loads.items()}
    assert force[1.0] > force[0.6] > force[0.4] - 1e-9
    assert force[0.4] < 1.0
    assert loads[0.4].feasible[0] and not loads[0.2].feasible[0]
    assert loads[0.2].glute_max_force_N[0] > loads[1.0].glute_max_force_N[0]


def test_nerve_room_is_compared_with_the_same_space_of_its_reference():
    from deepgluteal.space import healthy_reference

    sitting = simulate(Scenario(task="sitting"))
    tightest = sitting.space.narrowest_space[0]
    rest = healthy_reference("A")
    assert sitting.clearance_change_mm[0] == pytest.approx(
        sitting.space.clearance_mm[tightest][0] - rest.clearance_mm[tightest][0])
    assert sitting.clearance_change_mm[0] < -1.0  # sitting narrows the room (section 11)
    walking = simulate(Scenario(valgus_deg=12.0))
    healthy = simulate(Scenario())
    assert np.all(np.abs(healthy.clearance_change_mm) < 1e-9)
    assert walking.clearance_change_mm[5:15].max() < 0.0  # valgus narrows it at weight acceptance
