"""One palette and one type scale for every view, legible on a projector."""

BONE_FACE = "#efe6d2"
BONE_EDGE = "#9c8b6a"
INK = "#2b2b2b"
MUTED_INK = "#6b6b6b"
GHOST = "#b9c4cf"
ACCENT = "#c0392b"
FIGURE_FACE = "white"
FONT_SIZE = 11
TITLE_SIZE = 13
