"""One palette and one type scale for every view, legible on a projector.

Every colour a view draws is named here. The posterior view of the deep gluteal space has its
own, slightly warmer set (``SPACE_*``): it was tuned against its colour maps, and the pictures
users and baselines know are kept as they are.
"""

BONE_FACE = "#efe6d2"
BONE_EDGE = "#9c8b6a"
INK = "#2b2b2b"
MUTED_INK = "#6b6b6b"
GHOST = "#b9c4cf"
ACCENT = "#c0392b"
FIGURE_FACE = "white"
PROJECTOR_GHOST = "#3d4652"
"""The healthy ghost on a projector: dark slate instead of light grey, opaque (a projector's
washed-out contrast erases the light grey of a laptop screen)."""
FLOOR = "#d9d4cc"
AXIS_SPINE = "#bbbbbb"
AXIS_GRID = "#eeeeee"
FONT_SIZE = 11
TITLE_SIZE = 13

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
GROUP_COLOURS = {
    "deep_rotators": "#D55E00",
    "glute_med_min": "#0072B2",
    "glute_max": "#009E73",
}

# The posterior view of the deep gluteal space.
MUSCLE_COLOURS = ("#efc3b6", "#e29f8c", "#cf7562", "#ab4336", "#761d19")
"""Sequential single-hue (red) map for muscle activation 0..1; lightness falls monotonically,
so it reads the same with any colour vision."""
NERVE_COLOURS = ("#f5d94a", "#c9b65f", "#8d8a74", "#555f78", "#1f2f5c")
"""Nerve compression index 0 (free, yellow) .. 1 (no room, dark blue), after cividis."""
SPACE_BONE = "#f0e8d6"
SPACE_BONE_EDGE = "#a39478"
SACRUM = "#e9dfc8"
SACRAL_FORAMEN = "#d9ccb0"
TUBEROSITY = "#e6d9bd"
LIGAMENT = "#d3c5a5"
SPACE_INK = "#3a3530"
SPACE_MUTED = "#7c746a"
SPACE_GHOST = "#8a8f99"
GHOST_NERVE = "#8d7d2a"
DIMENSION = "#1c2b4a"
NERVE_INSIDE = "#b59a2a"
GLUTEAL_EDGE = (0.6, 0.3, 0.25, 0.9)
COLOUR_BAR_EDGE = "#c9c3b8"
