"""Make the OpenSim hold-out reference for the hip model (issue 3).

OpenSim is not a dependency of the project. It runs in a scratch environment outside the repository:

    python3 -m venv /tmp/osim-venv
    /tmp/osim-venv/bin/pip install opensim==4.6
    /tmp/osim-venv/bin/python validation/make_opensim_reference.py      # from the repository root

The script reads only ``data/gait2392_hip.json`` and ``data/walking_right_stance.csv`` and never imports
``deepgluteal``, so the reference shares no code with the model it checks. It writes into
``validation/opensim_reference/``:

- ``moment_arms.csv``: muscle-tendon length and the moment arms about hip flexion, adduction and rotation
  (``PathActuator::computeMomentArm``, i.e. -dL/dq) of every muscle at 36 hip postures, knee extended.
- ``static_optimization.csv``: OpenSim's own StaticOptimization analysis (AnalyzeTool) of the walking trial's
  net hip moments at its 51 instants, objective sum of squared activations, activations bounded to 0..1,
  for four scenarios.
- ``moment_balance.csv``: the hip moments the optimised forces produce against the moments required, from
  OpenSim's moment arms at each instant, so a failed or partial solve cannot pass unnoticed.

The engine's model is rebuilt here with the OpenSim API rather than loaded from the ``.osim`` file, because only
the hip part of gait2392 is stored in the repository: a ground-fixed pelvis; ``femur_r`` on the gait2392 hip
CustomJoint; ``tibia_r`` on the gait2392 knee CustomJoint (tibia translations as SimmSplines of knee angle),
copied from opensim-org/opensim-models, Models/Gait2392_Simbody/gait2392_millard2012muscle.osim; and each muscle
of the json as a PathActuator whose optimal force is the muscle's maximum isometric force, which is a
rigid-tendon ideal force generator without force-length-velocity or passive force. Its path points, including
the ConditionalPathPoints (psoas, iliacus, hamstrings, gracilis, rectus femoris) and the rectus femoris
MovingPathPoint, are those of the .osim file.

StaticOptimization balances a model's own equations of motion, while the trial's hip moments come from the
whole-body inverse dynamics. So femur and tibia are made nearly massless, gravity is off, and a PrescribedForce
on the femur applies the torque whose generalized forces on the three hip coordinates are minus the trial's net
hip moments: the actuators must then produce exactly those moments. The knee angle is prescribed from the trial,
which takes the knee out of the optimisation (the brief asks for the hip demand only).

Model credits: Delp S.L. et al. 1990, IEEE Trans Biomed Eng 37:757-767; Anderson F.C., Pandy M.G. 1999;
Yamaguchi G.T., Zajac F.E. 1989 (knee); model files by Thelen, Seth, Anderson, Delp (CC BY 3.0).
Trial: OpenSim example data subject01_walk1, body mass 72.6 kg.
"""

import csv
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import opensim as osim

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
OUT = REPO / "validation" / "opensim_reference"

BODY_MASS_KG = 72.6
HEEL_STRIKE_S, TOE_OFF_S = 0.618, 1.408
HIP_COORDINATES = ("hip_flexion_r", "hip_adduction_r", "hip_rotation_r")
TRIAL_ANGLE_COLUMNS = ("hip_flexion_deg", "hip_adduction_deg", "hip_rotation_deg")
TRIAL_MOMENT_COLUMNS = (
    "hip_flexion_moment_Nm_per_kg",
    "hip_adduction_moment_Nm_per_kg",
    "hip_rotation_moment_Nm_per_kg",
)
POSTURE_GRID_DEG = {"flexion": (0, 30, 60, 90), "adduction": (-10, 0, 10), "rotation": (-10, 0, 10)}

# gait2392 knee_r (gait2392_millard2012muscle.osim, OpenSim 4.0 format): tibia origin in the femur frame as
# SimmSplines of knee_angle_r (rad -> m).
KNEE_TRANSLATION_X = (
    (-2.0944, -1.74533, -1.39626, -1.0472, -0.698132, -0.349066, -0.174533, 0.197344, 0.337395, 0.490178, 1.52146,
     2.0944),
    (-0.0032, 0.00179, 0.00411, 0.0041, 0.00212, -0.001, -0.0031, -0.005227, -0.005435, -0.005574, -0.005435,
     -0.00525),
)
KNEE_TRANSLATION_Y = (
    (-2.0944, -1.22173, -0.523599, -0.349066, -0.174533, 0.159149, 2.0944),
    (-0.4226, -0.4082, -0.399, -0.3976, -0.3966, -0.395264, -0.396),
)
# rect_fem_r-P3, a MovingPathPoint on tibia_r: location (m) as SimmSplines of knee_angle_r (rad), same file.
_RECT_FEM_KNEE_RAD = (-2.0944, -1.99997, -1.5708, -1.45752, -1.39626, -1.0472, -0.698132, -0.526391, -0.349066,
                      -0.174533, 0, 0.00017453, 0.00034907, 0.0279253, 0.0872665, 0.174533, 2.0944)
RECT_FEM_P3 = {
    "x": (_RECT_FEM_KNEE_RAD,
          (0.0155805, 0.0179938, 0.0275081, 0.0296564, 0.0307615, 0.0365695, 0.0422074, 0.0450902, 0.048391,
           0.0534299, 0.0617576, 0.0617669, 0.0617762, 0.0633083, 0.066994, 0.0733035, 0.0573481)),
    "y": (_RECT_FEM_KNEE_RAD,
          (0.0234116, 0.0237613, 0.0251141, 0.0252795, 0.0253146, 0.0249184, 0.0242373, 0.0238447, 0.0234197,
           0.0227644, 0.020984, 0.0209814, 0.0209788, 0.0205225, 0.0191754, 0.0159554, -0.0673774)),
    "z": ((-2.0944, 0.1745), (0.0014, 0.0014)),
}
KNEE_COORDINATE_PATH = "/jointset/knee_r/knee_angle_r"
# Segments are made nearly massless so that the applied hip moments, not segment inertia, set the demand.
TINY_MASS_KG, TINY_INERTIA_KGM2 = 1e-4, 1e-6

SCENARIOS = {
    "healthy": {"angle_offsets_deg": (0.0, 0.0, 0.0), "strength": {}},
    "valgus": {"angle_offsets_deg": (0.0, 10.0, 10.0), "strength": {}},
    "weak_gluteus_maximus": {
        "angle_offsets_deg": (0.0, 0.0, 0.0),
        "strength": {m: 0.4 for m in ("glut_max1_r", "glut_max2_r", "glut_max3_r")},
    },
    "weak_gluteus_medius_minimus": {
        "angle_offsets_deg": (0.0, 0.0, 0.0),
        "strength": {m: 0.5 for m in ("glut_med1_r", "glut_med2_r", "glut_med3_r",
                                      "glut_min1_r", "glut_min2_r", "glut_min3_r")},
    },
}


def read_trial():
    """Return the walking trial as a dict of float arrays keyed by column name."""
    with open(DATA / "walking_right_stance.csv", newline="") as f:
        rows = [line for line in f if not line.startswith("#")]
    records = list(csv.DictReader(rows))
    return {key: np.array([float(r[key]) for r in records]) for key in records[0]}


def _function(function_class, x, y):
    # The (n, double*, double*) constructors are not callable from Python; addPoint is.
    function = function_class()
    for xi, yi in zip(x, y):
        function.addPoint(float(xi), float(yi))
    return function


def _spline(xy):
    return _function(osim.SimmSpline, *xy)


def _set_axis(axis, coordinate, direction, function):
    if coordinate:
        names = osim.ArrayStr()
        names.append(coordinate)
        axis.setCoordinateNames(names)
    axis.setAxis(osim.Vec3(*direction))
    # set_function copies; setFunction would adopt a pointer that Python frees later (segfault in OpenSim 4.6).
    axis.set_function(function)


def _custom_joint(name, parent, location_in_parent, child, rotations, translations):
    """CustomJoint with body-fixed rotations (coordinate, axis) and translations (coordinate, axis, function)."""
    transform = osim.SpatialTransform()
    for i, (coordinate, direction) in enumerate(rotations):
        function = osim.LinearFunction(1.0, 0.0) if coordinate else osim.Constant(0.0)
        _set_axis(transform.updTransformAxis(i), coordinate, direction, function)
    for i, (coordinate, direction, function) in enumerate(translations):
        _set_axis(transform.updTransformAxis(3 + i), coordinate, direction, function)
    return osim.CustomJoint(name, parent, osim.Vec3(*location_in_parent), osim.Vec3(0), child, osim.Vec3(0),
                            osim.Vec3(0), transform)


def _connect(component, **connectee_paths):
    # Paths, not object references: the point is cloned into the path, and a clone keeps only paths.
    for socket, path in connectee_paths.items():
        component.updSocket(socket).setConnecteePath(path)


def build_model(geometry, strength=None):
    """Build the pelvis-femur-tibia model with one PathActuator per gait2392 hip muscle.

    Parameters
    ----------
    geometry : dict
        Contents of ``data/gait2392_hip.json``.
    strength : dict, optional
        Muscle name -> factor on its maximum isometric force (1 when absent).

    Returns
    -------
    opensim.Model
    """
    strength = strength or {}
    model = osim.Model()
    model.setName("gait2392_hip_reference")
    model.setGravity(osim.Vec3(0))
    bodies = {}
    for name in ("pelvis", "femur_r", "tibia_r"):
        bodies[name] = osim.Body(name, TINY_MASS_KG, osim.Vec3(0), osim.Inertia(TINY_INERTIA_KGM2))
        model.addBody(bodies[name])
    model.addJoint(osim.WeldJoint("ground_pelvis", model.getGround(), bodies["pelvis"]))

    hip = geometry["hip_joint"]
    assert [c for c, _ in hip["rotation_order"]] == list(HIP_COORDINATES)
    zero_translations = [(None, axis, osim.Constant(0.0)) for axis in ((1, 0, 0), (0, 1, 0), (0, 0, 1))]
    hip_joint = _custom_joint("hip_r", bodies["pelvis"], hip["pelvis_offset"]["translation"], bodies["femur_r"],
                              hip["rotation_order"], zero_translations)
    knee_joint = _custom_joint(
        "knee_r", bodies["femur_r"], (0, 0, 0), bodies["tibia_r"],
        [("knee_angle_r", (0, 0, 1)), (None, (0, 1, 0)), (None, (1, 0, 0))],
        [("knee_angle_r", (1, 0, 0), _spline(KNEE_TRANSLATION_X)),
         ("knee_angle_r", (0, 1, 0), _spline(KNEE_TRANSLATION_Y)),
         (None, (0, 0, 1), osim.Constant(0.0))],
    )
    for joint in (hip_joint, knee_joint):
        model.addJoint(joint)
        for i in range(joint.numCoordinates()):
            joint.upd_coordinates(i).setRangeMin(-2.0944)
            joint.upd_coordinates(i).setRangeMax(2.0944)

    for name, muscle in geometry["muscles"].items():
        actuator = osim.PathActuator()
        actuator.setName(name)
        actuator.setOptimalForce(muscle["max_isometric_force_N"] * strength.get(name, 1.0))
        actuator.setMinControl(0.0)
        actuator.setMaxControl(1.0)
        point_set = actuator.updGeometryPath().updPathPointSet()
        for point in muscle["path"]:
            if point["type"] == "PathPoint":
                actuator.addNewPathPoint(point["name"], bodies[point["frame"]], osim.Vec3(*point["location"]))
            elif point["type"] == "ConditionalPathPoint":
                conditional = osim.ConditionalPathPoint()
                conditional.setName(point["name"])
                conditional.set_location(osim.Vec3(*point["location"]))
                conditional.setRangeMin(point["range"][0])
                conditional.setRangeMax(point["range"][1])
                _connect(conditional, parent_frame=f"/bodyset/{point['frame']}", coordinate=point["coordinate"])
                point_set.cloneAndAppend(conditional)
            elif point["type"] == "MovingPathPoint" and point["name"] == "rect_fem_r-P3":
                moving = osim.MovingPathPoint()
                moving.setName(point["name"])
                moving.set_x_location(_spline(RECT_FEM_P3["x"]))
                moving.set_y_location(_spline(RECT_FEM_P3["y"]))
                moving.set_z_location(_spline(RECT_FEM_P3["z"]))
                _connect(moving, parent_frame=f"/bodyset/{point['frame']}", x_coordinate=KNEE_COORDINATE_PATH,
                         y_coordinate=KNEE_COORDINATE_PATH, z_coordinate=KNEE_COORDINATE_PATH)
                point_set.cloneAndAppend(moving)
            else:
                raise ValueError(f"path point {point['name']}: no definition for type {point['type']}")
        model.addForce(actuator)
    model.finalizeConnections()
    return model


def _set_posture(model, state, hip_deg, knee_deg):
    coordinate_set = model.getCoordinateSet()
    for name, value_deg in zip(HIP_COORDINATES + ("knee_angle_r",), tuple(hip_deg) + (knee_deg,)):
        coordinate_set.get(name).setValue(state, np.radians(value_deg), False)
    model.realizePosition(state)


def moment_arm_rows(model):
    """Length and the three hip moment arms of every muscle on the posture grid, knee extended."""
    state = model.initSystem()
    coordinate_set = model.getCoordinateSet()
    actuators = [osim.PathActuator.safeDownCast(model.getForceSet().get(i))
                 for i in range(model.getForceSet().getSize())]
    rows = []
    for flexion in POSTURE_GRID_DEG["flexion"]:
        for adduction in POSTURE_GRID_DEG["adduction"]:
            for rotation in POSTURE_GRID_DEG["rotation"]:
                _set_posture(model, state, (flexion, adduction, rotation), 0.0)
                for actuator in actuators:
                    arms = [actuator.computeMomentArm(state, coordinate_set.get(c)) for c in HIP_COORDINATES]
                    rows.append({
                        "hip_flexion_deg": flexion, "hip_adduction_deg": adduction, "hip_rotation_deg": rotation,
                        "knee_angle_deg": 0.0, "muscle": actuator.getName(),
                        "moment_arm_flexion_m": arms[0], "moment_arm_adduction_m": arms[1],
                        "moment_arm_rotation_m": arms[2], "length_m": actuator.getLength(state),
                    })
    return rows


def hip_axes_in_ground(model, state):
    """Columns: the femur's angular velocity in ground per unit speed of each hip coordinate (rad/s per rad/s)."""
    femur = model.getBodySet().get("femur_r")
    coordinate_set = model.getCoordinateSet()
    axes = np.zeros((3, 3))
    for j, name in enumerate(HIP_COORDINATES):
        for k, other in enumerate(HIP_COORDINATES + ("knee_angle_r",)):
            coordinate_set.get(other).setSpeedValue(state, 1.0 if k == j else 0.0)
        model.realizeVelocity(state)
        omega = femur.getVelocityInGround(state).get(0)
        axes[:, j] = [omega.get(i) for i in range(3)]
    return axes


def add_hip_demand(model, times_s, hip_deg, knee_deg, required_Nm):
    """Prescribe the knee from the trial and load the femur with minus the required hip moments.

    The torque T (ground frame) applied to the femur has generalized forces A^T T on the hip coordinates, A the
    hip axes in ground; T = -A^-T M makes the actuators supply exactly the required moments M.
    """
    state = model.initSystem()
    torques = np.zeros((len(times_s), 3))
    for i in range(len(times_s)):
        _set_posture(model, state, hip_deg[i], knee_deg[i])
        torques[i] = -np.linalg.solve(hip_axes_in_ground(model, state).T, required_Nm[i])
    demand = osim.PrescribedForce("hip_moment_demand", model.getBodySet().get("femur_r"))
    demand.setForceIsInGlobalFrame(True)
    # Cloned into the force's own FunctionSet, so Python never shares ownership with OpenSim.
    demand.upd_torqueFunctions().clearAndDestroy()
    for k in range(3):
        demand.upd_torqueFunctions().cloneAndAppend(_function(osim.PiecewiseLinearFunction, times_s, torques[:, k]))
    model.addForce(demand)
    knee = model.updCoordinateSet().get("knee_angle_r")
    knee.set_prescribed_function(_function(osim.SimmSpline, times_s, np.radians(knee_deg)))
    knee.setDefaultIsPrescribed(True)
    model.finalizeConnections()


def write_coordinates(path, times_s, hip_deg, knee_deg):
    labels = osim.StdVectorString()
    for name in HIP_COORDINATES + ("knee_angle_r",):
        labels.append(name)
    table = osim.TimeSeriesTable()
    table.setColumnLabels(labels)
    for t, hip, knee in zip(times_s, hip_deg, knee_deg):
        table.appendRow(float(t), osim.RowVector(list(hip) + [knee]))
    table.addTableMetaDataString("inDegrees", "yes")
    osim.STOFileAdapter.write(table, str(path))


def read_storage(path):
    table = osim.TimeSeriesTable(str(path))
    labels = list(table.getColumnLabels())
    values = np.array([[table.getRowAtIndex(i)[j] for j in range(len(labels))]
                       for i in range(table.getNumRows())])
    return np.array(table.getIndependentColumn()), dict(zip(labels, values.T))


def static_optimization(geometry, scenario, trial, workdir):
    """Run OpenSim's StaticOptimization for one scenario; return times, forces, activations, model."""
    settings = SCENARIOS[scenario]
    times_s = HEEL_STRIKE_S + trial["stance_pct"] / 100.0 * (TOE_OFF_S - HEEL_STRIKE_S)
    hip_deg = np.column_stack([trial[c] for c in TRIAL_ANGLE_COLUMNS]) + np.array(settings["angle_offsets_deg"])
    knee_deg = trial["knee_angle_deg"]
    required_Nm = np.column_stack([trial[c] for c in TRIAL_MOMENT_COLUMNS]) * BODY_MASS_KG

    model = build_model(geometry, settings["strength"])
    add_hip_demand(model, times_s, hip_deg, knee_deg, required_Nm)
    model_path = workdir / f"{scenario}.osim"
    coordinates_path = workdir / f"{scenario}_coordinates.sto"
    model.printToXML(str(model_path))
    write_coordinates(coordinates_path, times_s, hip_deg, knee_deg)

    tool = osim.AnalyzeTool()
    tool.setName(scenario)
    tool.setModelFilename(str(model_path))
    tool.setCoordinatesFileName(str(coordinates_path))
    tool.setLowpassCutoffFrequency(-1)
    tool.setInitialTime(times_s[0])
    tool.setFinalTime(times_s[-1])
    tool.setResultsDir(str(workdir))
    analysis = osim.StaticOptimization()
    analysis.setStartTime(times_s[0])
    analysis.setEndTime(times_s[-1])
    analysis.setUseModelForceSet(True)
    analysis.setActivationExponent(2)
    analysis.setConvergenceCriterion(1e-8)
    analysis.setMaxIterations(1000)
    tool.getAnalysisSet().cloneAndAppend(analysis)
    setup_path = workdir / f"{scenario}_setup.xml"
    tool.printToXML(str(setup_path))
    osim.AnalyzeTool(str(setup_path)).run()

    so_times, activation = read_storage(workdir / f"{scenario}_StaticOptimization_activation.sto")
    _, force = read_storage(workdir / f"{scenario}_StaticOptimization_force.sto")
    if len(so_times) != len(times_s) or not np.allclose(so_times, times_s, atol=1e-9):
        raise RuntimeError(f"{scenario}: StaticOptimization reported {len(so_times)} instants, expected 51")
    return times_s, hip_deg, knee_deg, required_Nm, force, activation


def moment_balance_rows(geometry, scenario, trial, hip_deg, knee_deg, required_Nm, force):
    """Hip moments of the optimised forces (OpenSim moment arms at each instant) against the required ones."""
    model = build_model(geometry, SCENARIOS[scenario]["strength"])
    state = model.initSystem()
    coordinate_set = model.getCoordinateSet()
    rows = []
    for i, pct in enumerate(trial["stance_pct"]):
        _set_posture(model, state, hip_deg[i], knee_deg[i])
        produced = np.zeros(3)
        for name in geometry["muscles"]:
            actuator = osim.PathActuator.safeDownCast(model.getForceSet().get(name))
            arms = [actuator.computeMomentArm(state, coordinate_set.get(c)) for c in HIP_COORDINATES]
            produced += np.array(arms) * force[name][i]
        row = {"scenario": scenario, "stance_pct": pct}
        for k, axis in enumerate(("flexion", "adduction", "rotation")):
            row[f"required_{axis}_Nm"] = required_Nm[i, k]
            row[f"produced_{axis}_Nm"] = produced[k]
        rows.append(row)
    return rows


def write_csv(path, rows, float_format="{:.6g}"):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: float_format.format(v) if isinstance(v, float) else v for k, v in row.items()})


def main():
    geometry = json.loads((DATA / "gait2392_hip.json").read_text())
    trial = read_trial()
    OUT.mkdir(parents=True, exist_ok=True)
    osim.Logger.removeFileSink()  # otherwise OpenSim writes opensim.log into the working directory
    osim.Logger.setLevelString("warn")

    write_csv(OUT / "moment_arms.csv", moment_arm_rows(build_model(geometry)))

    so_rows, balance_rows = [], []
    workdir = Path(tempfile.mkdtemp(prefix="opensim_so_"))
    try:
        for scenario in SCENARIOS:
            times_s, hip_deg, knee_deg, required_Nm, force, activation = static_optimization(
                geometry, scenario, trial, workdir)
            for i, pct in enumerate(trial["stance_pct"]):
                for name in geometry["muscles"]:
                    so_rows.append({"scenario": scenario, "stance_pct": pct, "muscle": name,
                                    "force_N": force[name][i], "activation": activation[name][i]})
            balance_rows += moment_balance_rows(geometry, scenario, trial, hip_deg, knee_deg, required_Nm, force)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_csv(OUT / "static_optimization.csv", so_rows)
    write_csv(OUT / "moment_balance.csv", balance_rows)
    print(f"OpenSim {osim.GetVersion()}: wrote {len(so_rows)} static-optimisation rows to {OUT}")


if __name__ == "__main__":
    main()
