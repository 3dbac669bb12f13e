"""Frontal view of the stance leg, seen from behind: pelvis, femur, tibia, foot.

Seen from behind so that it sits beside the posterior view of the deep gluteal space with the
same left and right. The knee falling inwards (valgus) moves it towards the midline, to the
viewer's left.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon

from deepgluteal.datafiles import read_csv_columns
from deepgluteal.views import style


def _proportion(name: str) -> float:
    table = read_csv_columns("anthropometry.csv")
    return float(table["fraction_of_height"][table["quantity"].index(name)])


def stance_leg_outline(hip_adduction_deg, knee_valgus_deg, pelvic_drop_deg):
    """Joint positions of the drawing, in body heights, origin at the right hip centre.

    Parameters
    ----------
    hip_adduction_deg : float
        Adduction of the femur relative to the pelvis (deg); knee towards the midline.
    knee_valgus_deg : float
        Frontal-plane projection angle of the knee (deg); shank turned outwards from the
        thigh line.
    pelvic_drop_deg : float
        Drop of the opposite (left) side of the pelvis (deg).

    Returns
    -------
    dict
        ``hip_r``, ``hip_l``, ``knee``, ``ankle``, ``toe`` as (x, y) arrays; x is the
        patient's right as seen from behind.
    """
    thigh, shank = _proportion("thigh_length"), _proportion("shank_length")
    half_width = _proportion("hip_width") / 2
    drop = np.radians(pelvic_drop_deg)
    # The femur hangs from a pelvis that is itself tilted by the drop.
    thigh_angle = np.radians(hip_adduction_deg) - drop
    shank_angle = thigh_angle - np.radians(knee_valgus_deg)
    hip_r = np.array([0.0, 0.0])
    hip_l = hip_r + 2 * half_width * np.array([-np.cos(drop), -np.sin(drop)])
    knee = hip_r + thigh * np.array([-np.sin(thigh_angle), -np.cos(thigh_angle)])
    ankle = knee + shank * np.array([-np.sin(shank_angle), -np.cos(shank_angle)])
    toe = ankle + np.array([0.0, -_proportion("ankle_height")])
    return {"hip_r": hip_r, "hip_l": hip_l, "knee": knee, "ankle": ankle, "toe": toe}


class FrontalView:
    """Draws the stance leg once and moves it in place on :meth:`update`."""

    def __init__(self, ax, title: str = "Stance leg, seen from behind"):
        self.ax = ax
        ax.set_aspect("equal")
        ax.set_xlim(-0.30, 0.12)
        ax.set_ylim(-0.58, 0.08)
        ax.set_axis_off()
        ax.set_title(title, fontsize=style.TITLE_SIZE, color=style.INK)
        self._ghost, = ax.plot([], [], color=style.GHOST, lw=6, solid_capstyle="round",
                               zorder=1, label="healthy")
        self._pelvis = Polygon(np.zeros((4, 2)), closed=True, facecolor=style.BONE_FACE,
                               edgecolor=style.BONE_EDGE, lw=1.5, zorder=2)
        ax.add_patch(self._pelvis)
        self._leg, = ax.plot([], [], color=style.BONE_EDGE, lw=9, solid_capstyle="round",
                             zorder=3)
        self._joints, = ax.plot([], [], "o", ms=10, color=style.BONE_FACE,
                                markeredgecolor=style.BONE_EDGE, zorder=4)
        self._plumb, = ax.plot([], [], ls=(0, (4, 4)), color=style.MUTED_INK, lw=1, zorder=0)
        self._label = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize=style.FONT_SIZE,
                              color=style.INK, va="bottom")
        ax.text(0.02, 0.97, "midline ←", transform=ax.transAxes, fontsize=9,
                color=style.MUTED_INK, va="top")
        healthy = stance_leg_outline(0.0, 0.0, 0.0)
        self._ghost.set_data(*np.array([healthy["hip_r"], healthy["knee"],
                                        healthy["ankle"]]).T)

    def update(self, hip_adduction_deg: float, knee_valgus_deg: float,
               pelvic_drop_deg: float = 0.0) -> None:
        pose = stance_leg_outline(hip_adduction_deg, knee_valgus_deg, pelvic_drop_deg)
        hip_r, hip_l = pose["hip_r"], pose["hip_l"]
        across = hip_r - hip_l
        up = np.array([-across[1], across[0]]) / np.linalg.norm(across) * 0.05
        self._pelvis.set_xy([hip_l - up * 0.6, hip_r - up * 0.6, hip_r + up, hip_l + up])
        chain = np.array([hip_r, pose["knee"], pose["ankle"], pose["toe"]])
        self._leg.set_data(chain[:, 0], chain[:, 1])
        self._joints.set_data(chain[:3, 0], chain[:3, 1])
        self._plumb.set_data([hip_r[0], pose["ankle"][0]], [hip_r[1], pose["ankle"][1]])
        self._label.set_text(f"knee valgus {knee_valgus_deg:.0f}°")
