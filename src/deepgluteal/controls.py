"""The page's controls as data: one table that the widgets, the shared link, the handout's
settings lines, the story and the draw-ahead read. No widgets here.

A control's name is its widget's attribute on the dashboard, its CSS class
``dgs-control-<name>`` and its parameter in a shared link (``?valgus=12&glute_med=50``).
The valid ranges and choices come from :mod:`deepgluteal.scenario` alone: a slider's ends are
the scenario field's range times the control's scale (``glute_med`` shows 0.2-1.0 of normal as
20-100 %). Adding a control is one row here plus its place in the dashboard's layout.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qs

from deepgluteal import text
from deepgluteal.presets import DEFAULT_STANCE_PCT, HEALTHY, presets
from deepgluteal.scenario import CHOICE_FIELDS, NUMERIC_FIELDS, Scenario

MODES = ("patient", "student")
DISPLAYS = ("screen", "projector")


@dataclass(frozen=True)
class Control:
    """One control of the page.

    The state's controls (those with a ``field``) are built from their row. The page's own
    (``mode``, ``lang``, ``display``, ``preset``) are rows for the shared link; their widgets
    are the dashboard's (the language menu, the projector checkbox, the preset buttons).

    Attributes
    ----------
    name : str
        Link parameter; for the state's controls also the widget's attribute on the dashboard
        and its CSS class ``dgs-control-<name>``.
    kind : str
        ``"slider"`` (whole numbers), ``"dropdown"``, ``"checkbox"`` or ``"toggle"``.
    field : str or None
        The :class:`~deepgluteal.scenario.Scenario` field it sets (None: the page's own).
    words : str
        Catalogue key of its label.
    help : str
        Catalogue key of its tooltip, if it has one.
    default : object
        Its value in the first view.
    scale : float
        Control value = field value x scale (100 shows a fraction of normal as %).
    unit : str
        Unit of the control's value, for the note on a bad value in a link.
    step : int
        A slider's step: one key press.
    options : str
        Catalogue key prefix of a dropdown's or toggle's option words (``"task."``).
    over_time : bool
        A moment of walking stance: only walking has one (the scenario is the whole stance).
    """

    name: str
    kind: str
    field: str | None
    words: str
    default: object
    scale: float = 1
    unit: str = ""
    step: int = 1
    options: str = ""
    over_time: bool = False
    help: str = ""

    @property
    def low(self) -> int:
        """A slider's lowest value (the scenario field's lowest, scaled)."""
        return round(NUMERIC_FIELDS[self.field].low * self.scale)

    @property
    def high(self) -> int:
        """A slider's highest value (the scenario field's highest, scaled)."""
        return round(NUMERIC_FIELDS[self.field].high * self.scale)

    @property
    def choices(self) -> tuple:
        """A choice's valid values as the control holds them."""
        if self.kind == "checkbox":
            return (False, True)
        if self.field is not None:
            return tuple(CHOICE_FIELDS[self.field])
        return {"mode": MODES, "display": DISPLAYS, "lang": text.LANGUAGES,
                "preset": tuple(presets())}[self.name]

    def to_field(self, value):
        """The scenario field's value for the control's value."""
        if self.kind == "slider":
            return float(value) / self.scale
        if self.kind == "checkbox":
            return bool(value)
        return value

    def from_field(self, value):
        """The control's value for the scenario field's value."""
        if self.kind == "slider":
            return round(value * self.scale)
        return value


# In the order a link writes them. The language and the preset are read first from a link
# (its notes are in its language; its other values change the preset's).
TABLE = (
    Control("valgus", "slider", "valgus_deg", "control.valgus_deg", 0, unit="deg", step=1),
    Control("glute_med", "slider", "glute_med_strength", "control.glute_med_strength", 100,
            scale=100, unit="% of normal", step=5),
    Control("glute_max", "slider", "glute_max_strength", "control.glute_max_strength", 100,
            scale=100, unit="% of normal", step=5),
    Control("task", "dropdown", "task", "control.task", "walking", options="task."),
    Control("stance", "slider", "stance_pct", "control.stance_pct", DEFAULT_STANCE_PCT,
            unit="% of stance", step=2, over_time=True),
    Control("variant", "dropdown", "nerve_variant", "control.nerve_variant", "A",
            options="variant."),
    Control("compensation", "checkbox", "abductor_compensation",
            "control.abductor_compensation", False, help="control.abductor_compensation_help"),
    Control("mode", "toggle", None, "control.mode", "patient", options="control.mode_"),
    Control("lang", "dropdown", None, "control.language", None),
    Control("display", "toggle", None, "screens.projector", "screen"),
    Control("preset", "buttons", None, "control.preset", HEALTHY),
)
CONTROLS = {control.name: control for control in TABLE}

STATE = tuple(control.name for control in TABLE if control.field is not None)
"""The controls whose values make a state (the scenario and the moment shown)."""
SLIDERS = tuple(name for name in STATE if CONTROLS[name].kind == "slider")
CURSOR = "stance"
"""The moment shown: not part of the scenario, which is the whole stance."""


def has_time_course(task: str) -> bool:
    """Whether a task has moments to show (walking's stance); the others are one posture."""
    return task == "walking"


def first_view() -> dict:
    """The state controls' values in the first view (a link leaves these out)."""
    return {name: CONTROLS[name].default for name in STATE}


def scenario_from_values(values: Mapping) -> Scenario:
    """The scenario that state control values describe (the cursor ``stance`` is separate).

    Raises
    ------
    ValueError
        For a value the scenario refuses, naming the parameter, its unit and valid range.
    """
    return Scenario(**{CONTROLS[name].field: CONTROLS[name].to_field(values[name])
                       for name in STATE if name != CURSOR})


def preset_values(name: str, current: Mapping) -> dict:
    """The state controls' values after the preset ``name`` from ``current``: the preset's
    fields; the healthy preset (Reset) also goes back to variant A and the first moment."""
    fields = presets()[name]
    values = {control: CONTROLS[control].from_field(fields[CONTROLS[control].field])
              for control in STATE if CONTROLS[control].field in fields}
    first = first_view()
    for control in ("variant", CURSOR):
        values[control] = first[control] if name == HEALTHY else current[control]
    return values


# ------------------------------------------------------------------------------ shared links

class LinkNote(NamedTuple):
    """What is wrong with one parameter of a link; the dashboard words it (:func:`note_words`).

    ``known`` False: a parameter the page does not know (``parameter`` cut to 40 characters).
    Otherwise the value was bad: valid from ``low`` to ``high`` (numbers, in ``unit``) or one of
    ``choices``; the page keeps ``default``.
    """

    parameter: str
    known: bool = True
    unit: str = ""
    low: int | None = None
    high: int | None = None
    choices: tuple = ()
    default: object = None

    def valid_range(self) -> str:
        """The valid values as the note writes them: ``0-25 deg``, ``walking, sitting, ...``."""
        valid = ", ".join(map(str, self.choices)) if self.low is None \
            else f"{self.low}-{self.high}"
        return f"{valid} {self.unit}".strip()


class Link(NamedTuple):
    """A parsed link: the values it sets (control name -> control value) and its notes."""

    values: dict
    notes: list[LinkNote]


# How a link writes a checkbox and the page's display (the projector checkbox).
_LINK_BOOL = ("0", "1")


def link_value(name: str, value) -> str:
    """A control's value as a link writes it."""
    if CONTROLS[name].kind == "checkbox":
        return _LINK_BOOL[bool(value)]
    return str(int(value)) if CONTROLS[name].kind == "slider" else str(value)


def parse_link(query: str | None, current: Mapping | None = None) -> Link:
    """What a link's query string (``valgus=12&glute_med=50&lang=es``) sets.

    A repeated parameter counts with its last value. A bad value or an unknown parameter is
    left out with a note; nothing raises.

    Parameters
    ----------
    query : str or None
        The query string, without ``?``.
    current : mapping, optional
        The page's values before the link (control name -> value, including ``mode``, ``lang``
        and ``display``): the defaults the notes name. By default the first view's.

    Returns
    -------
    Link
        ``values``: control name -> value as the control holds it (numbers rounded to whole
        ones, ``compensation`` a bool), ``preset`` and ``lang`` included when given;
        ``notes``: a :class:`LinkNote` for each bad value, in the table's order (``lang`` and
        ``preset`` first), then one for each unknown parameter, sorted.
    """
    params = {key: raws[-1] for key, raws in
              parse_qs(query or "", keep_blank_values=True).items()}
    before = {**first_view(), "mode": "patient", "lang": text.LANGUAGES[0], "display": "screen",
              **(current or {})}
    values, notes = {}, []
    order = ("lang", "preset", *(name for name in CONTROLS if name not in ("lang", "preset")))
    for name in order:
        if name not in params:
            continue
        control, raw = CONTROLS[name], params[name]
        if control.kind == "slider":
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if math.isfinite(number) and control.low <= number <= control.high:
                values[name] = round(number)
                continue
            value = None
        elif control.kind == "checkbox":
            value = raw == "1" if raw in _LINK_BOOL else None
        else:
            value = raw if raw in control.choices else None
        if value is not None:
            values[name] = value
            if name == "preset":  # the values the notes after it name
                before |= preset_values(value, before)
            continue
        default = HEALTHY if name == "preset" else before[name]
        if control.kind == "slider":
            notes.append(LinkNote(name, unit=control.unit, low=control.low, high=control.high,
                                  default=default))
        else:
            choices = _LINK_BOOL if control.kind == "checkbox" else control.choices
            notes.append(LinkNote(name, choices=choices, default=link_value(name, default)))
    notes += [LinkNote(key[:40], known=False) for key in sorted(set(params) - set(CONTROLS))]
    return Link(values, notes)


def note_words(note: LinkNote, translate: Callable[..., str]) -> str:
    """A link's note in words: ``translate(key, **values)`` gives a catalogue message."""
    if not note.known:
        return translate("error.unknown_parameter", parameter=note.parameter)
    return translate("error.bad_url_value", parameter=note.parameter, range=note.valid_range(),
                     default=note.default)


# ------------------------------------------------------------------------------ the handout

def settings_lines(values: Mapping, translate: Callable[..., str]) -> list[str]:
    """The handout's lines naming the state's settings, the task first (it says what the
    others mean): ``translate(key)`` gives a catalogue message."""
    lines = []
    for name in ("task", *(name for name in STATE if name != "task")):
        control, value = CONTROLS[name], values[name]
        if control.over_time and not has_time_course(values["task"]):
            continue
        if control.kind == "checkbox":
            if value:
                lines.append(translate(control.words))
            continue
        shown = translate(control.options + value) if control.options else value
        lines.append(f"{translate(control.words)}: {shown}")
    return lines
