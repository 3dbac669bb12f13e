"""Hold-out validation: the model's mechanics against OpenSim 4.6 run on the same trial.

The reference (``validation/opensim_reference``, made by ``validation/make_opensim_reference.py``
with OpenSim's own ``computeMomentArm`` and ``StaticOptimization``) shares no code with the
package. Here the package's geometry and load sharing get exactly the engine's inputs: the
trial's angles (valgus as +10 deg adduction and +10 deg internal rotation) and the trial's net
joint moments x 72.6 kg, unchanged. Nothing is fitted to the reference.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from deepgluteal.kinematics import walking_trial
from deepgluteal.muscles import muscle_paths, muscle_table
from deepgluteal.sharing import share_load

REFERENCE = Path(__file__).resolve().parent.parent / "validation" / "opensim_reference"
SUBJECT_MASS_KG = 72.6
DEEP_ROTATORS = ("peri_r", "gem_r", "quad_fem_r")
SCENARIOS = {  # name in the reference -> (extra adduction, extra rotation, strength factors)
    "healthy": (0.0, 0.0, {}),
    "valgus": (10.0, 10.0, {}),
    "weak_gluteus_maximus": (0.0, 0.0, {"glute_max": 0.4}),
    "weak_gluteus_medius_minimus": (0.0, 0.0, {"glute_med_min": 0.5}),
}


def _rows(name):
    with open(REFERENCE / name, newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def opensim_forces():
    """scenario -> (51, m) forces in the package's muscle order."""
    names = muscle_table().names
    column = {name: i for i, name in enumerate(names)}
    forces = defaultdict(lambda: np.full((51, len(names)), np.nan))
    stance = walking_trial()["stance_pct"]
    for row in _rows("static_optimization.csv"):
        instant = int(np.argmin(np.abs(stance - float(row["stance_pct"]))))
        forces[row["scenario"]][instant, column[row["muscle"]]] = float(row["force_N"])
    return dict(forces)


@cache
def package_forces(scenario):
    extra_add, extra_rot, weakness = SCENARIOS[scenario]
    trial = walking_trial()
    table = muscle_table()
    paths = muscle_paths(trial["hip_flexion_deg"], trial["hip_adduction_deg"] + extra_add,
                         trial["hip_rotation_deg"] + extra_rot, -trial["knee_angle_deg"])
    max_force = np.array(table.max_isometric_force_N["gait2392"], dtype=float)
    for group, factor in weakness.items():
        max_force = np.where(np.array(table.groups) == group, max_force * factor, max_force)
    demand = SUBJECT_MASS_KG * np.stack([trial["hip_flexion_moment_Nm_per_kg"],
                                         trial["hip_adduction_moment_Nm_per_kg"],
                                         trial["hip_rotation_moment_Nm_per_kg"]], axis=1)
    sharing = share_load(np.swapaxes(paths.moment_arm_m, 1, 2) * max_force, demand)
    assert np.abs(sharing.unmet_moment_Nm).max() < 1e-6
    return sharing.activation * max_force


def test_reference_covers_every_scenario_and_muscle():
    forces = opensim_forces()
    assert set(forces) == set(SCENARIOS)
    for scenario in SCENARIOS:
        assert not np.isnan(forces[scenario]).any()


def test_moment_arms_match_opensim_at_every_reference_posture():
    names = muscle_table().names
    worst = 0.0
    for row in _rows("moment_arms.csv"):
        paths = muscle_paths(float(row["hip_flexion_deg"]), float(row["hip_adduction_deg"]),
                             float(row["hip_rotation_deg"]), -float(row["knee_angle_deg"]))
        i = names.index(row["muscle"])
        opensim = [float(row[f"moment_arm_{axis}_m"])
                   for axis in ("flexion", "adduction", "rotation")]
        worst = max(worst, float(np.abs(paths.moment_arm_m[0, i] - opensim).max()))
        assert paths.length_m[0, i] == pytest.approx(float(row["length_m"]), abs=1e-5)
    assert worst < 1e-4, f"largest moment-arm difference {worst * 1000:.3f} mm"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_muscle_forces_match_opensim_static_optimisation(scenario):
    ours, theirs = package_forces(scenario), opensim_forces()[scenario]
    assert np.abs(ours - theirs).max() < 0.1  # N, over 51 instants x 27 muscles


@pytest.mark.parametrize("scenario",
                         ["valgus", "weak_gluteus_maximus", "weak_gluteus_medius_minimus"])
def test_effects_on_the_deep_rotators_agree_with_opensim(scenario):
    """The effect (scenario vs healthy) of each change, not just the absolute forces."""
    columns = [muscle_table().names.index(name) for name in DEEP_ROTATORS]

    def effect(forces):
        deep = forces[scenario][:, columns].sum(axis=1)
        healthy = forces["healthy"][:, columns].sum(axis=1)
        return deep.mean() - healthy.mean(), deep.max() - healthy.max()

    ours = effect({name: package_forces(name) for name in SCENARIOS})
    theirs = effect(opensim_forces())
    assert np.sign(ours[0]) == np.sign(theirs[0])
    assert ours == pytest.approx(theirs, abs=1.0)
