"""Frontal view of the stance leg, seen from behind: pelvis, femur, tibia, foot.

Seen from behind so that it sits beside the posterior view of the deep gluteal space with the
same left and right: the patient's right is the viewer's right, and a knee falling inwards
(valgus) moves towards the midline, to the viewer's left. The joint positions come from the
model's side (``deepgluteal.picture_data.stance_leg_outline``, Winter's proportions); the
drawing carries no force or moment.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Arc, Circle, Polygon

from deepgluteal.views import style

DEFAULT_LABELS = {
    "title": "The standing leg seen from behind",
    "valgus": "Knee falling inwards: {angle}°",
    "pelvic_drop": "Pelvis dips on the other side: {angle}°",
    "ghost": "Healthy alignment",
    "midline": "midline",
    "posture_note": "",
}


def frontal_labels(lang: str = "en") -> dict:
    """Labels of the view in a catalogue language (``deepgluteal.text``)."""
    from deepgluteal import text

    return {key: text.message(f"figure.frontal_{key}", lang, angle="{angle}")
            for key in ("title", "valgus", "pelvic_drop", "ghost", "midline")} | {
        "posture_note": ""}


# Walking drops the opposite side of the pelvis by about 4-5 degrees anyway (facts sheet 3.3,
# unverified); the drop is labelled only beyond that, when it stands out.
NOTICEABLE_PELVIC_DROP_DEG = 5.0


@dataclass(frozen=True)
class LegAnatomy:
    """What the leg drawing takes from the body's proportions, in body heights (given by the
    model's side, ``deepgluteal.picture_data``).

    Attributes
    ----------
    healthy_pose : mapping
        Joint positions of healthy alignment (``hip_r``, ``knee``, ``ankle``; (x, y) arrays,
        origin at the right hip centre), drawn as the ghost.
    midline : float
        x of the body's midline.
    floor : float
        y of the floor line.
    foot_length : float
    """

    healthy_pose: Mapping[str, np.ndarray]
    midline: float
    floor: float
    foot_length: float


def _pelvis_outline(hip_r, hip_l):
    """A pelvic ring seen from behind, built on the two hip centres (body heights)."""
    across = hip_r - hip_l
    width = np.linalg.norm(across)
    unit = across / width
    up = np.array([-unit[1], unit[0]])
    centre = (hip_r + hip_l) / 2
    # (along, up) in units of the hip width: iliac wings, crests, sacrum, ischia.
    shape = np.array([
        (-0.78, 0.05), (-0.86, 0.32), (-0.78, 0.52), (-0.55, 0.62), (-0.28, 0.55),
        (-0.12, 0.42), (0.0, 0.47), (0.12, 0.42), (0.28, 0.55), (0.55, 0.62), (0.78, 0.52),
        (0.86, 0.32), (0.78, 0.05), (0.62, -0.12), (0.40, -0.22), (0.18, -0.12), (0.0, -0.06),
        (-0.18, -0.12), (-0.40, -0.22), (-0.62, -0.12),
    ])
    return centre + width * (shape[:, :1] * unit + shape[:, 1:] * up)


class FrontalView:
    """Draws the stance leg once and moves it in place on :meth:`update`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    leg : LegAnatomy
        Proportions and healthy alignment of the leg.
    labels : mapping, optional
        Text instead of the English defaults (keys of :data:`DEFAULT_LABELS`).
    title : str, optional
        Shortcut for ``labels["title"]``.
    """

    def __init__(self, ax, leg: LegAnatomy, title: str | None = None, labels=None):
        self.ax = ax
        self.leg = leg
        self.labels = DEFAULT_LABELS | dict(labels or {})
        if title is not None:
            self.labels["title"] = title
        ax.set_aspect("equal")
        ax.set_xlim(-0.16, 0.08)
        ax.set_ylim(-0.64, 0.09)
        ax.set_axis_off()
        ax.set_title(self.labels["title"], fontsize=style.FONT_SIZE - 1, color=style.INK,
                     wrap=True)
        midline = leg.midline
        ax.plot([midline, midline], [-0.55, 0.09], ls=(0, (2, 4)), lw=0.9,
                color=style.MUTED_INK, zorder=0)
        ax.text(midline - 0.004, 0.085, self.labels["midline"], fontsize=8,
                color=style.MUTED_INK, va="top", ha="right")
        floor = leg.floor
        ax.plot([-0.16, 0.08], [floor, floor], color=style.FLOOR, lw=2, zorder=0)

        healthy = leg.healthy_pose
        chain = np.array([healthy["hip_r"], healthy["knee"], healthy["ankle"]])
        self._ghost, = ax.plot(chain[:, 0], chain[:, 1], color=style.GHOST, lw=7, alpha=0.55,
                               solid_capstyle="round", zorder=1, label=self.labels["ghost"])
        self._pelvis = Polygon(np.zeros((3, 2)), closed=True, facecolor=style.BONE_FACE,
                               edgecolor=style.BONE_EDGE, lw=1.4, zorder=2, joinstyle="round")
        ax.add_patch(self._pelvis)
        self._level, = ax.plot([], [], color=style.ACCENT, lw=1.2, ls=(0, (3, 2)), zorder=2.5)
        self._bone_edge = Line2D([], [], color=style.BONE_EDGE, lw=11, solid_capstyle="round",
                                 solid_joinstyle="round", zorder=3)
        self._bone_face = Line2D([], [], color=style.BONE_FACE, lw=8, solid_capstyle="round",
                                 solid_joinstyle="round", zorder=3.1)
        for line in (self._bone_edge, self._bone_face):
            ax.add_line(line)
        self._heads = [Circle((0, 0), radius, facecolor=style.BONE_FACE,
                              edgecolor=style.BONE_EDGE, lw=1.3, zorder=3.2)
                       for radius in (0.019, 0.022, 0.014)]  # hip, knee, ankle
        for head in self._heads:
            ax.add_patch(head)
        self._foot = Polygon(np.zeros((3, 2)), closed=True, facecolor=style.BONE_FACE,
                             edgecolor=style.BONE_EDGE, lw=1.2, zorder=3.0)
        ax.add_patch(self._foot)
        self._thigh_line, = ax.plot([], [], color=style.ACCENT, lw=1, ls=(0, (2, 2)), zorder=4)
        self._arc = Arc((0, 0), 0.16, 0.16, color=style.ACCENT, lw=2.0, zorder=4)
        ax.add_patch(self._arc)
        self._valgus_text = ax.text(0.03, 0.06, "", transform=ax.transAxes, fontsize=9,
                                    color=style.ACCENT, weight="bold", va="bottom")
        self._drop_text = ax.text(0.03, 0.005, "", transform=ax.transAxes, fontsize=8,
                                  color=style.INK, va="bottom", linespacing=1.1)
        self._note = ax.text(0.5, 0.5, "", transform=ax.transAxes, fontsize=9.5,
                             color=style.INK, ha="center", va="center", wrap=True,
                             bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": style.GHOST},
                             zorder=6)

    @property
    def ghost_artists(self):
        """The healthy alignment drawn behind the leg."""
        return [self._ghost]

    @property
    def dynamic_artists(self):
        return [self._pelvis, self._level, self._bone_edge, self._bone_face, self._foot,
                *self._heads, self._thigh_line, self._arc, self._valgus_text, self._drop_text,
                self._note]

    def update(self, pose: Mapping[str, np.ndarray], knee_valgus_deg: float,
               pelvic_drop_deg: float = 0.0, note: str = "") -> None:
        """Show one posture.

        Parameters
        ----------
        pose : mapping
            Joint positions ``hip_r``, ``hip_l``, ``knee``, ``ankle`` ((x, y), body heights),
            as ``deepgluteal.picture_data.stance_leg_outline`` gives them.
        knee_valgus_deg, pelvic_drop_deg : float
            The angles the pose was made with (deg), for the words.
        note : str
            Shown over the drawing when the leg does not stand (sitting, lying): the drawing is
            then faded.
        """
        hip_r, hip_l, knee, ankle = pose["hip_r"], pose["hip_l"], pose["knee"], pose["ankle"]
        self._pelvis.set_xy(_pelvis_outline(hip_r, hip_l))
        drop = abs(pelvic_drop_deg) >= NOTICEABLE_PELVIC_DROP_DEG
        self._level.set_data([hip_l[0] - 0.03, hip_r[0] + 0.03], [hip_r[1], hip_r[1]])
        self._level.set_visible(drop)
        chain = np.array([hip_r, knee, ankle])
        for line in (self._bone_edge, self._bone_face):
            line.set_data(chain[:, 0], chain[:, 1])
        for head, centre in zip(self._heads, chain, strict=True):
            head.set_center(centre)
        length = self.leg.foot_length
        self._foot.set_xy([ankle + (-0.012, 0.0), ankle + (0.012, 0.0),
                           ankle + (0.02, -0.032), ankle + (-0.02, -0.032)])
        thigh_direction = (knee - hip_r) / np.linalg.norm(knee - hip_r)
        extension = knee + thigh_direction * 0.45 * length * 2
        self._thigh_line.set_data([knee[0], extension[0]], [knee[1], extension[1]])
        shank_direction = (ankle - knee) / np.linalg.norm(ankle - knee)
        angles = np.degrees([np.arctan2(*thigh_direction[::-1]),
                             np.arctan2(*shank_direction[::-1])])
        self._arc.set_center(knee)
        self._arc.theta1, self._arc.theta2 = float(angles.min()), float(angles.max())
        showing_valgus = knee_valgus_deg >= 0.5
        for artist in (self._thigh_line, self._arc):
            artist.set_visible(showing_valgus)
        # Red only when the knee does fall inwards: a healthy 0 degrees is no warning.
        self._valgus_text.set_color(style.ACCENT if showing_valgus else style.MUTED_INK)
        self._valgus_text.set_fontweight("bold" if showing_valgus else "normal")
        self._valgus_text.set_text(textwrap.fill(
            self.labels["valgus"].format(angle=f"{knee_valgus_deg:.0f}"), 21))
        self._drop_text.set_text(textwrap.fill(self.labels["pelvic_drop"].format(
            angle=f"{pelvic_drop_deg:.0f}"), 28) if drop else "")
        self._note.set_text(textwrap.fill(note, 22))
        self._note.set_visible(bool(note))
        alpha = 0.35 if note else 1.0
        for artist in (self._pelvis, self._bone_edge, self._bone_face, self._foot,
                       *self._heads):
            artist.set_alpha(alpha)
