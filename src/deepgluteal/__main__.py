"""Command line: export the model's numbers as CSV.

    python -m deepgluteal moment-arms [--flexion-deg LIST] ... [--out FILE]
    python -m deepgluteal simulate [--valgus-deg 10] [--glute-med-strength 0.5] ... [--out FILE]
    deepgluteal serve [--host H] [--port P] [--lang L] [--max-viewers N] [--base-url PATH] ...

``python -m deepgluteal COMMAND --help`` lists every option with its unit and range. Each
command is one ``_add_<command>(subparsers)`` function that registers its options and its
``run`` function, so more commands plug in the same way.
"""

from __future__ import annotations

import argparse
import csv
import sys
from contextlib import contextmanager

import numpy as np

from deepgluteal.scenario import (
    DEFAULT_STRENGTH_SET,
    NUMERIC_FIELDS,
    STRENGTH_SETS,
    TASKS,
    Scenario,
)
from deepgluteal.serve import add_serve_command

# Ranges of the posture grid for moment-arms: gait2392's coordinate ranges (deg).
HIP_RANGE_DEG = (-120.0, 120.0)
KNEE_FLEXION_RANGE_DEG = (-10.0, 120.0)


def _escape(help_text: str) -> str:
    # argparse %-formats help strings.
    return help_text.replace("%", "%%")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _number_list(low: float, high: float, name: str):
    def parse(text: str) -> list[float]:
        values = [_number(part) for part in text.split(",") if part.strip()]
        if not values:
            raise argparse.ArgumentTypeError(f"{name}: give at least one number")
        for value in values:
            if not np.isfinite(value) or not low <= value <= high:
                raise argparse.ArgumentTypeError(
                    f"{name} must be numbers in deg from {low:g} to {high:g}; got {value!r}")
        return values
    return parse


@contextmanager
def _output(path: str | None):
    if path is None:
        yield sys.stdout
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle


def _format(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)


def _write_rows(path: str | None, header: list[str], rows) -> None:
    with _output(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_format(value) for value in row])


# --------------------------------------------------------------------------- moment-arms


def _run_moment_arms(args) -> int:
    from deepgluteal.muscles import muscle_paths, muscle_table

    grid = np.array(np.meshgrid(args.flexion_deg, args.adduction_deg, args.rotation_deg,
                                args.knee_flexion_deg, indexing="ij")).reshape(4, -1)
    paths = muscle_paths(*grid)
    table = muscle_table()
    header = ["hip_flexion_deg", "hip_adduction_deg", "hip_rotation_deg", "knee_flexion_deg",
              "muscle", "label", "group", "flexion_moment_arm_m", "adduction_moment_arm_m",
              "rotation_moment_arm_m", "path_length_m"]

    def rows():
        for i in range(grid.shape[1]):
            for j, name in enumerate(table.names):
                yield (*grid[:, i], name, table.labels[j], table.groups[j],
                       *paths.moment_arm_m[i, j], paths.length_m[i, j])

    _write_rows(args.out, header, rows())
    return 0


def _add_moment_arms(commands) -> None:
    parser = commands.add_parser(
        "moment-arms",
        help="moment arms of every hip muscle over a grid of postures (CSV)",
        description="Moment arms (m) of every hip muscle of gait2392 about hip flexion, "
                    "adduction and rotation, computed as -dL/dq from the muscle paths, over a "
                    "grid of postures; one row per posture and muscle. Positive = flexor, "
                    "adductor, internal rotator (OpenSim's convention).")
    low, high = HIP_RANGE_DEG
    for name, default, meaning in (
            ("flexion", "-15,0,15,30,45,60,75,90", "hip flexion (positive = flexion)"),
            ("adduction", "-15,0,15", "hip adduction (positive = adduction)"),
            ("rotation", "-15,0,15", "hip rotation (positive = internal rotation)")):
        parser.add_argument(
            f"--{name}-deg", type=_number_list(low, high, f"--{name}-deg"), default=default,
            metavar="LIST",
            help=f"{meaning}: comma-separated angles in deg, each from {low:g} to {high:g} "
                 f"(default {default})")
    low, high = KNEE_FLEXION_RANGE_DEG
    parser.add_argument(
        "--knee-flexion-deg", type=_number_list(low, high, "--knee-flexion-deg"), default="0",
        metavar="LIST",
        help=f"knee flexion (positive = bent): comma-separated angles in deg, each from {low:g} "
             f"to {high:g}; matters for muscles that cross the knee (default 0)")
    parser.add_argument("--out", metavar="FILE", help="write the CSV to FILE instead of stdout")
    parser.set_defaults(run=_run_moment_arms)


# --------------------------------------------------------------------------- simulate


def _scenario(args) -> Scenario:
    return Scenario(valgus_deg=args.valgus_deg, glute_med_strength=args.glute_med_strength,
                    glute_max_strength=args.glute_max_strength, body_mass_kg=args.body_mass_kg,
                    task=args.task, abductor_compensation=args.abductor_compensation,
                    strength_set=args.strength_set, stance_pct=args.stance_pct)


def _run_simulate(args) -> int:
    from deepgluteal.model import simulate

    result = simulate(_scenario(args))
    n = result.n_instants
    posture = [result.stance_pct, result.hip_flexion_deg, result.hip_adduction_deg,
               result.hip_rotation_deg, result.knee_flexion_deg]
    posture_header = ["stance_pct", "hip_flexion_deg", "hip_adduction_deg", "hip_rotation_deg",
                      "knee_flexion_deg"]
    axes = ("flexion", "adduction", "rotation")
    if args.table == "muscles":
        header = posture_header + [
            "muscle", "label", "group", "max_force_N", "force_N", "activation",
            "healthy_force_N", *(f"{a}_moment_arm_m" for a in axes),
            *(f"{a}_moment_Nm" for a in axes)]

        def rows():
            for i in range(n):
                for j, name in enumerate(result.muscle_names):
                    yield (*(p[i] for p in posture), name, result.muscle_labels[j],
                           result.muscle_groups[j], result.max_force_N[j],
                           result.muscle_force_N[i, j], result.activation[i, j],
                           result.healthy_muscle_force_N[i, j], *result.moment_arm_m[i, j],
                           *result.muscle_moment_Nm[i, j])
    else:
        groups = ("deep_rotators", "glute_med_min", "glute_max")
        header = posture_header + [
            "pelvic_drop_deg", *(f"demand_{a}_Nm" for a in axes),
            *(f"unmet_{a}_Nm" for a in axes), "feasible",
            *(f"{g}_force_N" for g in groups), *(f"{g}_activation" for g in groups),
            "healthy_deep_rotators_force_N", "deep_rotator_load_ratio", "abductor_force_bw",
            "hip_contact_force_bw"]

        def rows():
            for i in range(n):
                yield (*(p[i] for p in posture), result.pelvic_drop_deg[i], *result.demand_Nm[i],
                       *result.unmet_moment_Nm[i], result.feasible[i],
                       *(getattr(result, f"{g}_force_N")[i] for g in groups),
                       *(getattr(result, f"{g}_activation")[i] for g in groups),
                       result.healthy_deep_rotators_force_N[i],
                       result.deep_rotator_load_ratio[i], result.abductor_force_bw[i],
                       result.hip_contact_force_bw[i])

    _write_rows(args.out, header, rows())
    return 0


def _add_simulate(commands) -> None:
    parser = commands.add_parser(
        "simulate",
        help="muscle forces and activations for one scenario (CSV)",
        description="Run the musculoskeletal model for one scenario and write, per instant "
                    "and muscle, force (N), activation (0-1), the same person's healthy force, "
                    "moment arms (m) and moment contributions (N m); or, with --table summary, "
                    "one row per instant with demand, unmet moment, group totals, the "
                    "deep-rotator load ratio and the hip contact force (body weights).")
    defaults = Scenario()
    for name in ("valgus_deg", "glute_med_strength", "glute_max_strength", "body_mass_kg"):
        spec = NUMERIC_FIELDS[name]
        parser.add_argument(
            f"--{name.replace('_', '-')}", type=_number, default=getattr(defaults, name),
            metavar="X",
            help=_escape(f"{spec.meaning}, in {spec.unit}, from {spec.low:g} to {spec.high:g} "
                         f"(default {getattr(defaults, name):g})"))
    parser.add_argument(
        "--task", choices=TASKS, default=defaults.task,
        help="walking (stance phase, 51 instants) or a static posture: single_leg_stance, "
             "standing, sitting, fair (flexion-adduction-internal rotation test position); "
             f"no unit (default {defaults.task})")
    parser.add_argument(
        "--abductor-compensation", action="store_true",
        help="let weak abductors also change the movement (contralateral pelvic drop and hip "
             "adduction, walking and single-leg stance); a switch, no unit (default off)")
    parser.add_argument(
        "--strength-set", choices=STRENGTH_SETS, default=DEFAULT_STRENGTH_SET,
        help="maximum muscle forces: gait2392 (OpenSim model) or cadaver (PCSA x 60 N/cm2 for "
             f"gluteals and deep rotators); no unit (default {DEFAULT_STRENGTH_SET})")
    spec = NUMERIC_FIELDS["stance_pct"]
    parser.add_argument(
        "--stance-pct", type=_number, default=None, metavar="X",
        help=_escape(f"walking only: simulate one instant, in {spec.unit}, from {spec.low:g} "
                     f"to {spec.high:g} (default: the whole stance, 51 instants)"))
    parser.add_argument(
        "--table", choices=("muscles", "summary"), default="muscles",
        help="muscles: one row per instant and muscle; summary: one row per instant "
             "(default muscles)")
    parser.add_argument("--out", metavar="FILE", help="write the CSV to FILE instead of stdout")
    parser.set_defaults(run=_run_simulate)


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m deepgluteal`` parser with one subcommand per export."""
    parser = argparse.ArgumentParser(
        prog="python -m deepgluteal",
        description="Deep Gluteal Syndrome explainer: serve the dashboard, or export the "
                    "musculoskeletal model's numbers as CSV. The model is an explanation, not a "
                    "diagnosis.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_moment_arms(commands)
    _add_simulate(commands)
    add_serve_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits with 2 on bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:
        parser.error(str(error))
    except BrokenPipeError:
        # The reader (e.g. `head`) stopped early; that is not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
