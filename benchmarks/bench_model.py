"""Speed of the musculoskeletal model: one instant, one whole stance, and scipy's SLSQP.

Budgets (issue 3): ``simulate`` for one instant in at most 1 ms and for a whole walking stance
(51 instants) in at most 20 ms, median of repeated runs, so the dashboard can redraw at 60 fps.
The load-sharing step is also timed against scipy's general-purpose SLSQP on the same problem.
The healthy baseline of a task is cached (it does not depend on the scenario); the scenario's
own posture, geometry, demand and load sharing are computed on every call.

Usage: ``python benchmarks/bench_model.py`` (or ``make bench``); writes
``benchmarks/results/model.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_ms, write_result, yardstick_scenario  # noqa: E402

from deepgluteal.demand import hip_demand_Nm  # noqa: E402
from deepgluteal.kinematics import posture  # noqa: E402
from deepgluteal.model import available_max_force_N, simulate  # noqa: E402
from deepgluteal.muscles import muscle_paths  # noqa: E402
from deepgluteal.scenario import Scenario  # noqa: E402
from deepgluteal.sharing import share_load, share_load_slsqp  # noqa: E402

BUDGET_ONE_INSTANT_MS = 1.0
BUDGET_STANCE_MS = 20.0


def _problem(scenario):
    pose = posture(scenario)
    paths = muscle_paths(pose.hip_flexion_deg, pose.hip_adduction_deg, pose.hip_rotation_deg,
                         pose.knee_flexion_deg)
    demand = hip_demand_Nm(scenario.task, scenario.body_mass_kg, pose.hip_flexion_deg,
                           pose.hip_adduction_deg, scenario.stance_pct)
    return np.swapaxes(paths.moment_arm_m, 1, 2) * available_max_force_N(scenario), demand


def main() -> int:
    stance = yardstick_scenario()
    instant = Scenario(valgus_deg=10.0, glute_med_strength=0.5, glute_max_strength=0.7,
                       stance_pct=40.0)
    single_leg = Scenario(task="single_leg_stance", valgus_deg=10.0, glute_med_strength=0.5)
    unmet = Scenario(task="single_leg_stance", glute_med_strength=0.2)
    matrix, demand = _problem(stance)
    one_matrix, one_demand = _problem(instant)

    results = {
        "simulate_one_walking_instant": median_ms(lambda: simulate(instant), repeats=300),
        "simulate_single_leg_stance": median_ms(lambda: simulate(single_leg), repeats=300),
        "simulate_single_leg_stance_unmet_demand": median_ms(lambda: simulate(unmet),
                                                             repeats=100),
        "simulate_whole_stance_51": median_ms(lambda: simulate(stance), repeats=100),
        "share_load_whole_stance_51": median_ms(lambda: share_load(matrix, demand), repeats=100),
        "slsqp_whole_stance_51": median_ms(lambda: share_load_slsqp(matrix, demand), repeats=5,
                                           warmup=1),
        "share_load_one_instant": median_ms(lambda: share_load(one_matrix, one_demand),
                                            repeats=300),
        "slsqp_one_instant": median_ms(lambda: share_load_slsqp(one_matrix, one_demand),
                                       repeats=30),
    }
    ratio = (results["slsqp_whole_stance_51"]["median_ms"]
             / results["share_load_whole_stance_51"]["median_ms"])
    ratio_one = (results["slsqp_one_instant"]["median_ms"]
                 / results["share_load_one_instant"]["median_ms"])
    ours, reference = share_load(matrix, demand).activation, share_load_slsqp(matrix, demand)
    summary = {
        "budget_one_instant_ms": BUDGET_ONE_INSTANT_MS,
        "budget_whole_stance_ms": BUDGET_STANCE_MS,
        "one_instant_within_budget": results["simulate_one_walking_instant"]["median_ms"]
        <= BUDGET_ONE_INSTANT_MS,
        "whole_stance_within_budget": results["simulate_whole_stance_51"]["median_ms"]
        <= BUDGET_STANCE_MS,
        "slsqp_over_semismooth_newton": round(ratio, 1),
        "slsqp_over_semismooth_newton_one_instant": round(ratio_one, 1),
        "max_activation_difference_vs_slsqp": float(np.abs(ours - reference).max()),
        "scenario": "valgus 10 deg, gluteus medius 0.5, gluteus maximus 0.7, gait2392, 70 kg",
    }
    print(f"{'case':34s} {'median ms':>10s} {'p95 ms':>8s}")
    for name, timing in results.items():
        print(f"{name:34s} {timing['median_ms']:10.3f} {timing['p95_ms']:8.3f}")
    print(f"SLSQP / semi-smooth Newton (load sharing): {ratio:.0f}x for 51 instants, "
          f"{ratio_one:.0f}x for one; "
          f"largest activation difference {summary['max_activation_difference_vs_slsqp']:.1e}")
    path = write_result("model", {"timings": results, **summary})
    print(f"written {path}")
    return 0 if summary["one_instant_within_budget"] and summary["whole_stance_within_budget"] \
        else 1


if __name__ == "__main__":
    sys.exit(main())
