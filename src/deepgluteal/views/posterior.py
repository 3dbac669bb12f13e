"""Posterior view of the right deep gluteal space, drawn from the space's geometry.

Seen from behind: the pelvis frame's z axis points to the viewer's right (lateral), y up.
The view draws only what it is given (landmarks, bone outlines, muscle paths and radii, the
nerve's path, the gap of the tightest space, and the fixed :class:`PosteriorAnatomy`); it
computes no science and imports no model module.

Fast redraws
------------
Artists are made once in ``__init__``; :meth:`PosteriorView.update` moves and recolours them
in place (``set_xy``, ``set_data``, ``set_facecolor``, ``set_text``), never adding artists.
A caller that redraws often blits :attr:`PosteriorView.dynamic_artists` over a background drawn
once (:class:`deepgluteal.views.render.Rasterizer`); every artist stays vector, so exports to
SVG or ``savefig`` at another dpi are complete.

The gait2392 model lumps the gemelli and obturator internus into one path (``gem_r``); the
three bands drawn around it (superior gemellus, obturator internus, inferior gemellus) share
its path, load and colour.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.transforms import Bbox, TransformedBbox

from deepgluteal.views import style
from deepgluteal.views.geometry import (
    arc_fraction,
    band,
    capsule,
    chaikin,
    chaikin_closed,
    densify,
    drop_repeats,
    fibre_lines,
    polyline_point,
    rounded_band,
)
from deepgluteal.views.pathtext import PathText

MUSCLE_CMAP = LinearSegmentedColormap.from_list("dgs_muscle", list(style.MUSCLE_COLOURS))
"""Muscle activation 0..1 (:data:`deepgluteal.views.style.MUSCLE_COLOURS`)."""

NERVE_CMAP = LinearSegmentedColormap.from_list("dgs_nerve", list(style.NERVE_COLOURS))
"""Nerve compression index 0..1 (:data:`deepgluteal.views.style.NERVE_COLOURS`)."""

BONE = style.SPACE_BONE
BONE_EDGE = style.SPACE_BONE_EDGE
INK = style.SPACE_INK
MUTED = style.SPACE_MUTED
GHOST = style.SPACE_GHOST
DIMENSION = style.DIMENSION
NERVE_INSIDE = style.NERVE_INSIDE


@dataclass(frozen=True)
class PosteriorAnatomy:
    """What the view draws that does not change with the state, given by the model's side.

    Attributes
    ----------
    standing : space geometry
        Relaxed standing with nerve type A (a ``deepgluteal.space.SpaceResult`` or anything
        with its attributes): the bones, and the picture before the first update.
    standing_of : callable
        Nerve variant -> relaxed standing with that variant: the healthy ghost drawn when an
        update gives none.
    ischiofemoral_normal_mm : (float, float)
        Published normal range of the ischiofemoral space (mm).
    nerve_variants : mapping
        Variant -> ``definition``, ``prevalence_pct``, ``prevalence_source``.
    nerve_width_mm : float
        Width of the whole sciatic nerve as drawn (mm).
    """

    standing: object
    standing_of: Callable[[str], object]
    ischiofemoral_normal_mm: tuple[float, float]
    nerve_variants: Mapping[str, Mapping[str, str]]
    nerve_width_mm: float


SPACE_TITLES = {"subpiriform": "gap below the piriformis",
                "suprapiriform": "gap above the piriformis",
                "transpiriform": "room inside the piriformis",
                "ischiofemoral": "ischiofemoral space"}
"""Plain names of the spaces, as the dimension label shows them."""

_VIEW_Z = 2  # pelvis z (mm) -> drawing x: to the viewer's right
_VIEW_Y = 1  # pelvis y (mm) -> drawing y: up
_PANEL_X = 0.665

# Band width along each muscle (fraction of its modelled radius) against arc length 0..1:
# constant over the belly, where the model's gaps are measured; narrower tendons at the femur.
_BAND_PROFILE = {
    "peri_r": ((0.0, 0.75), (0.15, 1.0), (0.75, 1.0), (1.0, 0.35)),
    "gem_r": ((0.0, 0.9), (0.1, 1.0), (0.7, 1.0), (1.0, 0.45)),
    "quad_fem_r": ((0.0, 0.95), (0.1, 1.0), (0.9, 1.0), (1.0, 0.9)),
}
_GEMELLI = ("superior_gemellus", "obturator_internus", "inferior_gemellus")
_DEEP = ("peri_r", *_GEMELLI, "quad_fem_r")
_ACTIVATION_OF = {"peri_r": "peri_r", "superior_gemellus": "gem_r",
                  "obturator_internus": "gem_r", "inferior_gemellus": "gem_r",
                  "quad_fem_r": "quad_fem_r"}
_GLUTEAL_GROUPS = {"gluteus_medius": ("glut_med1_r", "glut_med2_r", "glut_med3_r"),
                   "gluteus_maximus": ("glut_max1_r", "glut_max2_r", "glut_max3_r")}
_DRAWN_CAPSULES = ("femoral_shaft", "lesser_trochanter", "femoral_neck", "greater_trochanter")
"""Drawn bone capsules: the femoral head sits hidden in the acetabulum, and the condyles are
off the picture (or, in sitting, hidden in front of the shaft)."""

# Labels: key (of the ``labels`` mapping), English default, where it sits (drawing mm) and
# what it points at. Right-hand labels are left-aligned, left-hand ones right-aligned.
_LABELS = (
    ("pelvis", "Pelvis", (158, 88), ("fixed", (104, 62))),
    ("gluteus_medius", "Gluteus medius", (158, 62), ("outline_centre", "gluteus_medius")),
    ("piriformis", "Piriformis", (158, -20), ("path_at", "peri_r", 0.72)),
    ("superior_gemellus", "Superior gemellus", (158, -44),
     ("path_at", "superior_gemellus", 0.66)),
    ("obturator_internus", "Obturator internus", (158, -62),
     ("path_at", "obturator_internus", 0.7)),
    ("inferior_gemellus", "Inferior gemellus", (158, -80),
     ("path_at", "inferior_gemellus", 0.74)),
    ("quadratus_femoris", "Quadratus femoris", (158, -104), ("path_at", "quad_fem_r", 0.8)),
    ("greater_trochanter", "Greater trochanter", (158, -126),
     ("landmark", "greater_trochanter")),
    ("lesser_trochanter", "Lesser trochanter", (158, -144), ("landmark", "lesser_trochanter")),
    ("gluteus_maximus", "Gluteus maximus\n(outline)", (158, -164),
     ("outline_point", "gluteus_maximus", 4)),
    ("femur", "Femur", (158, -186), ("capsule_at", "femoral_shaft", 0.3)),
    ("sacrum", "Sacrum", (-28, 62), ("fixed", (12, 40))),
    ("sacrotuberous_ligament", "Sacrotuberous\nligament", (-28, 8), ("ligament", None)),
    ("ischial_tuberosity", "Ischial\ntuberosity", (-28, -162), ("tuberosity", None)),
    ("sciatic_nerve", "Sciatic nerve", (-28, -186), ("nerve_between", 3, 4, 0.35)),
)

DEFAULT_LABELS = {key: text for key, text, _, _ in _LABELS} | {
    "title": "The deep gluteal space",
    "subtitle": "Right hip, seen from behind",
    "muscle_colour": "Muscle activation (0 relaxed, 1 full)",
    "nerve_colour": "Nerve compression index (0 free, 1 no room)",
    "clearance": "{clearance} mm room",
    "ghost": "healthy, relaxed standing",
    "dimension": "tightest space: room left, mm",
    "nerve_inside": "nerve inside the pelvis",
}
"""English text of the view; ``PosteriorView(labels=...)`` overrides any of these keys."""

_READOUT = ("Gap below the piriformis", "Ischiofemoral space   (normal {low:.0f}–{high:.0f} mm)",
            "Nerve compression index   (0 free, 1 no room)",
            "Nerve stretch   (whole nerve, relative to standing)",
            "Hip flexion, adduction, rotation · knee flexion")


def _project(points_mm):
    """Pelvis-frame points (..., 3) -> drawing coordinates (..., 2), seen from behind."""
    return points_mm[..., [_VIEW_Z, _VIEW_Y]]


def _mean_activation(activation: Mapping[str, float], names) -> float:
    values = [float(activation[n]) for n in names if n in activation]
    return float(np.mean(values)) if values else 0.0


def _darker(colour, factor=0.62):
    r, g, b, a = to_rgba(colour)
    return (r * factor, g * factor, b * factor, a)


_CATALOGUE_KEYS = ("piriformis", "superior_gemellus", "obturator_internus", "inferior_gemellus",
                   "quadratus_femoris", "gluteus_medius", "gluteus_maximus", "sciatic_nerve",
                   "pelvis", "sacrum", "sacrotuberous_ligament", "ischial_tuberosity", "femur",
                   "greater_trochanter", "lesser_trochanter")


def posterior_labels(lang: str = "en") -> dict:
    """Labels of the view in a catalogue language (``deepgluteal.text``); missing keys keep
    their English default (:data:`DEFAULT_LABELS`)."""
    from deepgluteal import text

    labels = {key: text.message(f"anatomy.{key}", lang) for key in _CATALOGUE_KEYS}
    labels |= {
        "title": text.message("figure.posterior_title", lang),
        "muscle_colour": text.message("figure.posterior_muscle_colour", lang),
        "nerve_colour": text.message("figure.posterior_nerve_colour", lang),
        "clearance": text.message("figure.posterior_clearance", lang, clearance="{clearance}"),
        "ghost": text.message("figure.posterior_ghost", lang),
    }
    return labels


def nerve_band_width_mm(space, nerve_width_mm: float) -> float:
    """Drawn width (mm) of one nerve band: the whole nerve, or half of it when divided."""
    return nerve_width_mm / 2 if space.nerve_divided else nerve_width_mm


class PosteriorView:
    """The right deep gluteal space seen from behind, drawn once and updated in place.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw in (the view owns it: limits, aspect and axis are set here).
    anatomy : PosteriorAnatomy
        The fixed parts, from the model's side (``deepgluteal.picture_data``).
    ghost : bool
        Draw the healthy reference (relaxed standing, same nerve variant) as faint grey
        dashed outlines.
    labels : Mapping[str, str], optional
        Text to show instead of the English defaults (keys of :data:`DEFAULT_LABELS`, e.g.
        from :func:`posterior_labels`); ``clearance`` is a template with ``{clearance}``.
    panel : bool
        Show the side panel (title, numbers, colour bars, legend) of the 16:9 export layout.
        False gives a compact, nearly square layout for a dashboard tile: anatomy, labels,
        colour bars below.
    """

    def __init__(self, ax, anatomy: PosteriorAnatomy, ghost: bool = True, *,
                 labels: Mapping[str, str] | None = None, panel: bool = True):
        self.ax = ax
        self.anatomy = anatomy
        self.ghost = ghost
        self.panel = panel
        self.labels = DEFAULT_LABELS | dict(labels or {})
        self._ghost_space = None
        self._static: list = []
        self._dynamic: list = []
        self._variant = None
        reference = anatomy.standing

        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(-150, 425 if panel else 252)
        ax.set_ylim(-240 if panel else -275, 95 if panel else 112)
        ax.set_axis_off()
        ax.patch.set_visible(False)
        ax.figure.set_facecolor("white")

        self._draw_bones(reference)
        self._femur = {name: (self._add(Polygon(np.zeros((3, 2)), closed=True, fc=BONE_EDGE,
                                                ec=BONE_EDGE, lw=2.2, zorder=1.9,
                                                joinstyle="round")),
                              self._add(Polygon(np.zeros((3, 2)), closed=True, fc=BONE,
                                                ec="none", zorder=2.0)))
                       for name in _DRAWN_CAPSULES}
        self._gluteals = {name: self._make_gluteal(name) for name in _GLUTEAL_GROUPS}
        self._bands = {name: self._add(Polygon(np.zeros((3, 2)), closed=True, zorder=3.2,
                                               lw=0.9, joinstyle="round")) for name in _DEEP}
        self._fibres = {name: self._add(Line2D([], [], lw=0.6, zorder=3.25, alpha=0.45))
                        for name in _DEEP}
        self._nerve_inside = [self._add(Line2D([], [], lw=1.6, ls=(0, (2, 2)), zorder=3.7,
                                               color=NERVE_INSIDE, alpha=0.8))
                              for _ in range(2)]
        self._nerve = [self._add(Polygon(np.zeros((3, 2)), closed=True, zorder=4, lw=1.0,
                                         joinstyle="round")) for _ in range(2)]
        self._nerve_sheen = [self._add(Line2D([], [], lw=1.4, zorder=4.1, color="white",
                                              alpha=0.35, solid_capstyle="round"))
                             for _ in range(2)]
        self._ghost_lines = self._make_ghost() if ghost else {}
        self._make_fade()
        # Everything that moves with the leg ends where the fade ends (the colour bars of the
        # compact layout live below it).
        clip = TransformedBbox(Bbox([[-1000.0, self._fade_bottom], [1000.0, 1000.0]]),
                               ax.transData)
        for artist in self._dynamic:
            if artist is not self._fade:
                artist.set_clip_box(clip)
        self._dimension = self._add(Line2D([], [], color=DIMENSION, lw=1.6, zorder=6,
                                           solid_capstyle="butt"))
        self._dimension_leader = self._add(Line2D([], [], color=DIMENSION, lw=0.8, zorder=6))
        self._dimension_value = PathText(ax, (0, 0), coords=ax.transData,
                                          size=13 if panel else 10, color=DIMENSION,
                                          weight="bold", ha="right", halo=True)
        self._dimension_name = PathText(ax, (0, 0), coords=ax.transData,
                                         size=10 if panel else 7.5, color=DIMENSION,
                                         ha="right", halo=True)
        for patch in self._dimension_value.patches + self._dimension_name.patches:
            self._add(patch)
        self._make_labels()
        if panel:
            self._make_panel()
        else:
            self._values = []
            self._make_compact_panel()
        self.update(reference, 0, {"peri_r": 0.0, "gem_r": 0.0, "quad_fem_r": 0.0})

    # ---------------------------------------------------------------- bookkeeping

    def _add(self, artist, static=False):
        if artist.axes is None and isinstance(artist, Line2D):
            self.ax.add_line(artist)
        elif artist.axes is None and isinstance(artist, Polygon):
            self.ax.add_patch(artist)
        (self._static if static else self._dynamic).append(artist)
        return artist

    @property
    def dynamic_artists(self) -> list:
        """Artists that may change at an update, in drawing order, for external blitting.

        Includes the variant and caption texts, which change only with the variant or the
        state's caption.
        """
        changing = list(self._dynamic) + [self._variant_text, self._caption]
        return sorted(changing, key=lambda artist: artist.get_zorder())

    @property
    def ghost_artists(self) -> list:
        """The dashed outlines of the healthy state (empty without a ghost)."""
        return list(self._ghost_lines.values())

    @property
    def artists(self) -> tuple:
        """Every artist the view made (static and moving), for tests and benchmarks."""
        return tuple(self._static) + tuple(self._dynamic)

    # ---------------------------------------------------------------- static parts

    def _draw_bones(self, reference):
        ax = self.ax
        outline = {k: _project(v[0]) for k, v in reference.outlines_mm.items()}
        land = {k: _project(v[0]) for k, v in reference.landmarks_mm.items()}

        def bone(xy, colour, zorder, lw=1.2):
            shape = self._add(ax.add_patch(Polygon(xy, closed=True, fc=colour, ec=BONE_EDGE,
                                                   lw=lw, zorder=zorder, joinstyle="round")),
                              static=True)
            # A soft darker rim inside the outline gives the bone some volume.
            rim = self._add(ax.add_patch(Polygon(xy, closed=True, fill=False, ec=BONE_EDGE,
                                                 lw=7, alpha=0.16, zorder=zorder + 0.01)),
                            static=True)
            rim.set_clip_path(shape)
            return shape

        bone(chaikin_closed(outline["pubic_ramus"], 2), BONE, 1.0, lw=1.1)
        bone(chaikin_closed(outline["hemipelvis"], 2), BONE, 1.2, lw=1.3)
        # The ischial tuberosity: a rough oval under the hamstring origins.
        centre = land["ischial_tuberosity"] + [-2.0, -14.0]
        angle = np.linspace(0, 2 * np.pi, 40, endpoint=False)
        tuberosity = centre + np.column_stack([15.0 * np.cos(angle), 11.0 * np.sin(angle)])
        self._add(ax.add_patch(Polygon(tuberosity, closed=True, fc=style.TUBEROSITY, ec=BONE_EDGE,
                                       lw=0.7, zorder=1.25, alpha=0.9)), static=True)
        self._tuberosity_anchor = centre + [-4.0, -8.0]
        bone(chaikin_closed(outline["sacrum"], 2), style.SACRUM, 1.3, lw=1.3)
        for k in range(1, 5):
            self._add(ax.add_patch(Polygon(outline[f"sacral_foramen_{k}"], closed=True,
                                           fc=style.SACRAL_FORAMEN, ec="none", zorder=1.35)),
                      static=True)
        ligament = chaikin(np.array([land["sacrotuberous_ligament_sacral"],
                                      land["sacrotuberous_ligament_mid"],
                                      land["ischial_tuberosity"]]), 3)
        self._ligament_mid = polyline_point(ligament, 0.3)
        width = np.interp(arc_fraction(ligament), [0, 0.5, 1], [5.5, 3.2, 4.5])
        self._add(ax.add_patch(Polygon(band(ligament, width), closed=True, fc=style.LIGAMENT,
                                       ec=BONE_EDGE, lw=0.6, zorder=1.4)), static=True)

    def _make_fade(self):
        # The thigh continues below the picture: fade it out instead of cutting it.
        top, bottom = (-200.0, -262.0) if self.panel else (-192.0, -226.0)
        self._fade_bottom = bottom
        edges = np.linspace(top, bottom, 32)
        strips = [[(-400, a), (152, a), (152, b), (-400, b)]
                  for a, b in zip(edges[:-1], edges[1:], strict=True)]
        colours = np.ones((len(strips), 4))
        colours[:, 3] = np.linspace(0.08, 1.0, len(strips)) ** 1.4
        self._fade = self._add(self.ax.add_collection(
            PolyCollection(strips, facecolors=colours, edgecolors="none", zorder=5.8)))

    def _make_gluteal(self, name):
        superficial = name == "gluteus_maximus"
        return self._add(Polygon(np.zeros((3, 2)), closed=True,
                                 zorder=5.0 if superficial else 2.8, lw=1.3,
                                 ls=(0, (5, 3)) if superficial else "solid",
                                 joinstyle="round", ec=style.GLUTEAL_EDGE))

    def _make_ghost(self):
        dashes = dict(color=GHOST, lw=1.0, ls=(0, (3, 2.5)), zorder=5.5, alpha=0.85)
        lines = {name: self._add(Line2D([], [], **dashes))
                 for name in ("peri_r", "gem_r", "quad_fem_r", "femur")}
        lines["nerve"] = self._add(Line2D([], [], **{**dashes, "color": style.GHOST_NERVE}))
        return lines

    def _update_ghost(self, ghost, index: int):
        j = min(index, ghost.n_instants - 1)
        key = (id(ghost), j)
        if key == self._ghost_space:
            return
        self._ghost_space = key
        lines = self._ghost_lines
        bands = self._deep_band_polygons(ghost, j)
        for name in ("peri_r", "gem_r", "quad_fem_r"):
            if name == "gem_r":
                top, bottom = bands["superior_gemellus"], bands["inferior_gemellus"]
                half = len(top) // 2
                outline = np.vstack([top[:half], bottom[half:], top[:1]])
            else:
                outline = np.vstack([bands[name], bands[name][:1]])
            lines[name].set_data(*outline.T)
        shaft = _project(ghost.capsules_mm["femoral_shaft"][j])
        polygon = capsule(shaft[0], shaft[1], ghost.capsule_radius_mm["femoral_shaft"])
        lines["femur"].set_data(*np.vstack([polygon, polygon[:1]]).T)
        nerve = _project(ghost.nerve_paths_mm["tibial"][j][1:])
        lines["nerve"].set_data(*chaikin(drop_repeats(nerve), 3).T)

    def _make_labels(self):
        ax = self.ax
        self._label_targets = []
        width = 22 if self.panel else 18
        for key, _, (x, y), target in _LABELS:
            if key == "pelvis" and self.panel:
                y -= 6  # the export's top edge is nearer: keep the whole word in the picture
            left = x < 0
            text = self.labels[key]
            if "\n" not in text:
                text = textwrap.fill(text, width)
            self._add(ax.text(x, y, text, fontsize=10.5 if self.panel else 8, color=INK,
                              zorder=7, ha="right" if left else "left", va="center",
                              linespacing=1.05), static=True)
            self._label_targets.append(((x + (3 if left else -3), y), target))
        self._leaders = self._add(Line2D([], [], color=MUTED, lw=0.7, zorder=6.5))
        self._dots = self._add(Line2D([], [], marker="o", ms=2.6, color=INK, lw=0,
                                      zorder=7))

    def _legend_handles(self):
        handles = [Line2D([], [], color=DIMENSION, lw=1.6, marker="|", ms=8,
                          label=self.labels["dimension"])]
        if self.ghost:
            handles.append(Line2D([], [], color=GHOST, lw=1.0, ls=(0, (3, 2.5)),
                                  label=self.labels["ghost"]))
        handles.append(Line2D([], [], color=NERVE_INSIDE, lw=1.6, ls=(0, (2, 2)),
                              label=self.labels["nerve_inside"]))
        return handles

    def _colour_bar(self, bounds, title, cmap, fontsize):
        ax = self.ax
        cax = ax.inset_axes(bounds)
        cax.imshow(np.linspace(0, 1, 256)[None, :], aspect="auto", cmap=cmap,
                   extent=(0, 1, 0, 1))
        cax.set_xticks([0, 0.5, 1])
        cax.set_xticklabels(["0", "0.5", "1"], fontsize=fontsize - 2, color=MUTED)
        cax.set_yticks([])
        for spine in cax.spines.values():
            spine.set_edgecolor(style.COLOUR_BAR_EDGE)
        cax.tick_params(length=2, color=style.COLOUR_BAR_EDGE, pad=2)
        self._add(cax, static=True)
        # Above the drawing, on white: in a low box (the handout) the femur reaches down to it.
        self._add(ax.text(bounds[0], bounds[1] + bounds[3] + 0.012, title,
                          transform=ax.transAxes, fontsize=fontsize, color=INK,
                          va="bottom", zorder=8,
                          bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0}),
                  static=True)

    def _make_compact_panel(self):
        # A dashboard tile: the controls beside it name the variant, so only the title, the
        # colour bars and the anatomy are drawn.
        ax = self.ax
        static = dict(transform=ax.transAxes, va="top")
        self._add(ax.text(0.01, 0.995, textwrap.fill(self.labels["title"], 48), fontsize=9.5,
                          color=INK, fontweight="bold", **static), static=True)
        self._variant_text = self._add(ax.text(0.01, 0.9, "", fontsize=7, color=MUTED,
                                               **static), static=True)
        self._caption = self._add(ax.text(0.99, 0.995, "", fontsize=8.5, color=INK,
                                          ha="right", **static), static=True)
        self._colour_bar([0.03, 0.035, 0.42, 0.022],
                         textwrap.fill(self.labels["muscle_colour"], 32), MUSCLE_CMAP, 7.5)
        self._colour_bar([0.55, 0.035, 0.42, 0.022],
                         textwrap.fill(self.labels["nerve_colour"], 32), NERVE_CMAP, 7.5)

    def _make_panel(self):
        ax = self.ax
        x0 = _PANEL_X
        static = dict(transform=ax.transAxes, va="top")
        title = self._add(ax.text(x0, 0.965, textwrap.fill(self.labels["title"], 30),
                                  fontsize=18, color=INK, fontweight="bold", **static),
                          static=True)
        # Each line of the heading hangs below the one before, however many lines it wraps to.
        below = dict(xy=(0, 0), textcoords="offset points", va="top")
        subtitle = self._add(ax.annotate(self.labels["subtitle"], xycoords=title,
                                         xytext=(0, -5), fontsize=12, color=MUTED, **below),
                             static=True)
        self._variant_text = self._add(ax.annotate("", xycoords=subtitle, xytext=(0, -7),
                                                   fontsize=10, color=INK, linespacing=1.35,
                                                   **below), static=True)
        self._caption = self._add(ax.text(0.012, 0.975, "", fontsize=15, color=INK,
                                          fontweight="bold", **static), static=True)
        self._values = []
        low_mm, high_mm = self.anatomy.ischiofemoral_normal_mm
        for k, label in enumerate(_READOUT):
            y = 0.725 - k * 0.072
            self._add(ax.text(x0, y, label.format(low=low_mm, high=high_mm),
                              fontsize=10.5, color=MUTED, **static), static=True)
            value = PathText(ax, (x0, y - 0.052), coords=ax.transAxes, size=12, color=INK,
                              weight="bold")
            for patch in value.patches:
                self._add(patch)
            self._values.append(value)
        self._colour_bar([x0, 0.27, 0.29, 0.024], self.labels["muscle_colour"], MUSCLE_CMAP,
                         10.5)
        self._colour_bar([x0, 0.155, 0.29, 0.024], self.labels["nerve_colour"], NERVE_CMAP,
                         10.5)
        self._add(ax.legend(handles=self._legend_handles(), loc="lower left",
                            bbox_to_anchor=(x0 - 0.008, 0.0), fontsize=9.5, frameon=False,
                            handlelength=2.2), static=True)

    # ---------------------------------------------------------------- moving parts

    def _deep_band_polygons(self, space, i: int, fibres=None):
        polygons = {}
        for name in _DEEP:
            profile_of = "gem_r" if name in _GEMELLI else name
            path = _project(space.muscle_paths_mm[name][i])
            if name == "peri_r":
                # Only the part outside the pelvis: from the sciatic notch to the trochanter,
                # with a short stub inwards so that it emerges from the notch.
                path = np.vstack([path[1] + 0.45 * (path[0] - path[1]), path[1:]])
            smooth = chaikin(densify(path, 8), 2)
            knots = np.array(_BAND_PROFILE[profile_of])
            width = np.interp(arc_fraction(smooth), knots[:, 0], knots[:, 1])
            half = width * float(space.muscle_radius_mm[name][i])
            polygons[name] = rounded_band(smooth, half)
            if fibres is not None:
                fibres[name] = fibre_lines(smooth, half)
        return polygons

    def update(self, space, index: int, activation: Mapping[str, float],
               ghost: object | None = None) -> None:
        """Show instant ``index`` of ``space``; colour muscles by ``activation`` (0..1).

        ``activation`` maps gait2392 muscle names to activation; ``peri_r``, ``gem_r`` and
        ``quad_fem_r`` colour the deep rotators, the mean of ``glut_med1_r``..``3`` and
        ``glut_max1_r``..``3`` (missing = 0) the gluteal outlines. ``ghost`` is the healthy
        state to outline (same instant ``index``, or its only instant); default: relaxed
        standing with the same nerve variant.
        """
        i = int(index)
        for name, (edge, fill) in self._femur.items():
            a, b = _project(space.capsules_mm[name][i])
            polygon = capsule(a, b, space.capsule_radius_mm[name])
            edge.set_xy(polygon)
            fill.set_xy(polygon)

        for name, patch in self._gluteals.items():
            patch.set_xy(chaikin_closed(_project(space.outlines_mm[name][i]), 2))
            r, g, b, _ = MUSCLE_CMAP(_mean_activation(activation, _GLUTEAL_GROUPS[name]))
            patch.set_facecolor((r, g, b, 0.10 if name == "gluteus_maximus" else 0.30))

        fibres = {}
        for name, polygon in self._deep_band_polygons(space, i, fibres).items():
            level = float(np.clip(activation.get(_ACTIVATION_OF[name], 0.0), 0.0, 1.0))
            colour = MUSCLE_CMAP(level)
            patch = self._bands[name]
            patch.set_xy(polygon)
            patch.set_facecolor(colour)
            patch.set_edgecolor(_darker(colour))
            self._fibres[name].set_data(*fibres[name].T)
            self._fibres[name].set_color(_darker(colour, 0.7))

        width = nerve_band_width_mm(space, self.anatomy.nerve_width_mm)
        for k, branch in enumerate(("tibial", "common_peroneal")):
            visible = k == 0 or space.nerve_divided
            points = _project(space.nerve_paths_mm[branch][i])
            outside = chaikin(drop_repeats(points[1:]), 3)
            colour = NERVE_CMAP(float(space.nerve_compression_index[branch][i]))
            patch = self._nerve[k]
            patch.set_xy(band(outside, np.full(len(outside), width / 2)))
            patch.set_facecolor(colour)
            patch.set_edgecolor(_darker(colour, 0.55))
            self._nerve_sheen[k].set_data(*(outside[2:-2] + [-0.18 * width, 0.0]).T)
            self._nerve_inside[k].set_data(*points[:2].T)
            for artist in (patch, self._nerve_sheen[k], self._nerve_inside[k]):
                artist.set_visible(visible)

        if self.ghost:
            self._update_ghost(ghost if ghost is not None
                               else self.anatomy.standing_of(space.variant), i)

        self._update_dimension(space, i)
        self._update_labels(space, i)
        self._update_panel(space, i)

    def _update_dimension(self, space, i):
        a, b = _project(space.dimension_line_mm[i])
        d = b - a
        n = np.array([-d[1], d[0]]) / max(np.hypot(*d), 1e-6) * 4.0
        self._dimension.set_data(
            [a[0] + n[0], a[0] - n[0], np.nan, a[0], b[0], np.nan, b[0] + n[0], b[0] - n[0]],
            [a[1] + n[1], a[1] - n[1], np.nan, a[1], b[1], np.nan, b[1] + n[1], b[1] - n[1]])
        mid = 0.5 * (a + b)
        clearance = float(space.narrowest_clearance_mm[i])
        if not self.panel:
            # A small tile: the number beside its dimension line is enough.
            self._dimension_leader.set_data([], [])
            self._dimension_value.set_position((min(a[0], b[0]) - 6.0, mid[1] - 3.0))
            self._dimension_value.set_text(f"{clearance:.1f} mm")
            self._dimension_name.set_text("")
            return
        place = np.array([-28.0, float(np.clip(mid[1], -128.0, -40.0)) - 14.0])
        self._dimension_leader.set_data([mid[0], -26.0], [mid[1], place[1]])
        self._dimension_value.set_position(place + [0.0, 2.0])
        self._dimension_value.set_text(self.labels["clearance"].format(
            clearance=f"{clearance:.1f}"))
        self._dimension_name.set_position(place - [0.0, 9.0])
        self._dimension_name.set_text(SPACE_TITLES[str(space.narrowest_space[i])])

    def _update_labels(self, space, i):
        xs, ys, dots_x, dots_y = [], [], [], []
        for (start_x, start_y), target in self._label_targets:
            anchor = self._anchor(space, i, target)
            xs += [start_x, anchor[0], np.nan]
            ys += [start_y, anchor[1], np.nan]
            dots_x.append(anchor[0])
            dots_y.append(anchor[1])
        self._leaders.set_data(xs, ys)
        self._dots.set_data(dots_x, dots_y)

    def _anchor(self, space, i, target):
        kind = target[0]
        if kind == "path_at":
            return polyline_point(_project(space.muscle_paths_mm[target[1]][i]), target[2])
        if kind == "landmark":
            return _project(space.landmarks_mm[target[1]][i])
        if kind == "outline_centre":
            return _project(space.outlines_mm[target[1]][i]).mean(axis=0)
        if kind == "outline_point":
            return _project(space.outlines_mm[target[1]][i][target[2]])
        if kind == "nerve_between":
            path = _project(space.nerve_paths_mm["tibial"][i])
            start, end, fraction = target[1:]
            return path[start] + fraction * (path[end] - path[start])
        if kind == "capsule_at":
            a, b = _project(space.capsules_mm[target[1]][i])
            return a + target[2] * (b - a)
        if kind == "ligament":
            return self._ligament_mid
        if kind == "tuberosity":
            return self._tuberosity_anchor
        return np.asarray(target[1], float)

    def _update_panel(self, space, i):
        if space.variant != self._variant:
            self._variant = space.variant
            self._set_variant_text(space.variant)
        if not self.panel:
            return
        values = (
            f"{space.subpiriform_gap_mm[i]:.1f} mm",
            f"{space.ischiofemoral_space_mm[i]:.1f} mm",
            f"{space.compression_index_overall[i]:.2f}",
            f"{round(float(space.nerve_strain_pct[i]), 1) + 0.0:.1f} %",
            f"{space.hip_flexion_deg[i]:.0f}°  {space.hip_adduction_deg[i]:.0f}°  "
            f"{space.hip_rotation_deg[i]:.0f}°  ·  {space.knee_flexion_deg[i]:.0f}°",
        )
        for text, value in zip(self._values, values, strict=True):
            text.set_text(value)

    def _set_variant_text(self, variant: str) -> None:
        if not self.panel:
            return  # the dashboard's controls name the variant
        row = self.anatomy.nerve_variants[variant]
        prevalence = (f"{row['prevalence_pct']} % of limbs ({row['prevalence_source']})"
                      if row["prevalence_pct"] else "rare: about 2 % of limbs or fewer")
        definition = row["definition"].replace("Divided: ", "divided; ")
        wrapped = textwrap.fill(f"Sciatic nerve type {variant}: {definition[0].lower()}"
                                f"{definition[1:]}", 60 if self.panel else 70)
        self._variant_text.set_text(f"{wrapped}\n{prevalence}")

    def set_caption(self, text: str) -> None:
        """Title of the state shown (top left), e.g. "Sitting"; rarely changed."""
        if self.panel:  # beside the labels at the top left: two short lines, not one long
            text = textwrap.fill(text, 48)
        self._caption.set_text(text)
