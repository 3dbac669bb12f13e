"""The hold-out reference: what OpenSim 4.6 computed for the same geometry and walking trial.

The files are made by ``validation/make_opensim_reference.py`` (see ``validation/README.md``);
the wheel carries ``static_optimization.csv`` inside the package, so that the teaching notebooks
read it wherever they run, not only in a checkout.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

_PACKAGE_DIR = Path(__file__).resolve().parent
DEEP_ROTATORS = ("peri_r", "gem_r", "quad_fem_r")  # gait2392's deep-rotator actuators


def opensim_reference_dir() -> Path:
    """Folder of the OpenSim reference: the wheel's copy, else the repository's."""
    packaged = _PACKAGE_DIR / "opensim_reference"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent.parent / "validation" / "opensim_reference"


@cache
def _static_optimization() -> np.ndarray:
    return np.genfromtxt(opensim_reference_dir() / "static_optimization.csv", delimiter=",",
                         names=True, dtype=None, encoding="utf-8")


def opensim_deep_rotators_force_N() -> dict[str, np.ndarray]:
    """OpenSim's summed deep-rotator force (N) over stance, by scenario.

    Returns
    -------
    dict
        One entry per scenario of the reference (``"healthy"``, ``"valgus"``: the 20° valgus
        posture with the demand not re-projected, and the weak-gluteal ones), each an array of
        the force in N at 0, 2, ..., 100 % of stance (51 instants), 72.6 kg.
    """
    rows = _static_optimization()
    deep = np.isin(rows["muscle"], DEEP_ROTATORS)
    totals = {}
    for scenario in np.unique(rows["scenario"]):
        mine = deep & (rows["scenario"] == scenario)
        stance_pct = rows["stance_pct"][mine]
        totals[str(scenario)] = np.array([rows["force_N"][mine][stance_pct == pct].sum()
                                          for pct in np.unique(stance_pct)])
    return totals
