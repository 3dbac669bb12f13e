"""Command line: CSV exports of moment arms and simulations, helpful --help, clear errors."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy as np
import pytest

from deepgluteal.__main__ import build_parser, main
from deepgluteal.model import simulate
from deepgluteal.muscles import muscle_table
from deepgluteal.scenario import Scenario


def _run(capsys, *argv):
    assert main(list(argv)) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_moment_arms_grid_has_every_muscle_and_posture(capsys):
    rows = _run(capsys, "moment-arms", "--flexion-deg", "0,60", "--adduction-deg", "0,10",
                "--rotation-deg", "0", "--knee-flexion-deg", "0,90")
    m = len(muscle_table().names)
    assert len(rows) == 2 * 2 * 1 * 2 * m
    piriformis = [r for r in rows if r["muscle"] == "peri_r" and r["hip_adduction_deg"] == "0"
                  and r["knee_flexion_deg"] == "0"]
    arms = {r["hip_flexion_deg"]: float(r["rotation_moment_arm_m"]) for r in piriformis}
    assert -0.032 <= arms["0"] <= -0.029 and arms["60"] > 0
    assert {"flexion_moment_arm_m", "adduction_moment_arm_m", "path_length_m", "label",
            "group"} <= set(rows[0])


def test_moment_arms_default_grid_and_out_file(tmp_path, capsys):
    out = tmp_path / "arms.csv"
    assert main(["moment-arms", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 8 * 3 * 3 * len(muscle_table().names)


def test_simulate_per_muscle_and_instant_matches_the_model(capsys):
    rows = _run(capsys, "simulate", "--valgus-deg", "10", "--glute-med-strength", "0.5")
    result = simulate(Scenario(valgus_deg=10, glute_med_strength=0.5))
    m = len(result.muscle_names)
    assert len(rows) == 51 * m
    forces = np.array([float(r["force_N"]) for r in rows]).reshape(51, m)
    np.testing.assert_allclose(forces, result.muscle_force_N, rtol=1e-5, atol=1e-3)
    assert rows[0]["muscle"] == result.muscle_names[0]
    assert {"activation", "healthy_force_N", "rotation_moment_Nm", "max_force_N"} <= set(rows[0])


def test_simulate_summary_table_and_static_task(capsys):
    rows = _run(capsys, "simulate", "--task", "single_leg_stance", "--strength-set", "cadaver",
                "--table", "summary", "--body-mass-kg", "80")
    assert len(rows) == 1
    result = simulate(Scenario(task="single_leg_stance", strength_set="cadaver",
                               body_mass_kg=80))
    assert float(rows[0]["hip_contact_force_bw"]) == pytest.approx(
        result.hip_contact_force_bw[0], rel=1e-5)
    assert rows[0]["feasible"] == "true"
    rows = _run(capsys, "simulate", "--stance-pct", "30", "--abductor-compensation",
                "--glute-med-strength", "0.4", "--table", "summary")
    assert len(rows) == 1 and float(rows[0]["pelvic_drop_deg"]) > 5


@pytest.mark.parametrize("argv,words", [
    (["simulate", "--valgus-deg", "30"], ["valgus_deg", "deg", "0", "25"]),
    (["simulate", "--glute-max-strength", "nan"], ["glute_max_strength", "fraction", "0.2"]),
    (["simulate", "--body-mass-kg", "20"], ["body_mass_kg", "kg", "35", "160"]),
    (["simulate", "--task", "sitting", "--stance-pct", "10"], ["stance_pct", "walking"]),
    (["simulate", "--valgus-deg", "ten"], ["not a number"]),
    (["simulate", "--task", "running"], ["invalid choice"]),
    (["moment-arms", "--flexion-deg", "0,200"], ["--flexion-deg", "deg", "-120", "120"]),
])
def test_bad_input_exits_2_with_a_clear_message(capsys, argv, words):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    message = capsys.readouterr().err
    for word in words:
        assert word in message


def test_help_gives_unit_and_range_for_every_option():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    expectations = {
        "--valgus-deg": ("deg", "0 to 25"), "--glute-med-strength": ("fraction", "0.2 to 1"),
        "--glute-max-strength": ("fraction", "0.2 to 1"), "--body-mass-kg": ("kg", "35 to 160"),
        "--stance-pct": ("% of stance", "0 to 100"), "--task": ("no unit",),
        "--strength-set": ("no unit",), "--abductor-compensation": ("no unit",),
        "--flexion-deg": ("deg", "-120 to 120"), "--adduction-deg": ("deg", "-120 to 120"),
        "--rotation-deg": ("deg", "-120 to 120"), "--knee-flexion-deg": ("deg", "-10 to 120"),
    }
    seen = set()
    for name in ("simulate", "moment-arms"):
        for action in commands[name]._actions:
            option = action.option_strings[-1]
            if option in ("--help", "--out", "--table"):
                continue
            seen.add(option)
            for word in expectations[option]:
                assert word in " ".join((action.help % {}).split()), (option, word)
    assert seen == set(expectations)


def test_module_runs_as_a_program():
    done = subprocess.run([sys.executable, "-m", "deepgluteal", "simulate", "--task", "sitting",
                           "--table", "summary"], capture_output=True, text=True, check=True)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 1 and float(rows[0]["deep_rotators_force_N"]) == 0.0
