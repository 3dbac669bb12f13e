"""What the model is asked: one person, one task, validated before anything is computed.

A :class:`Scenario` is a frozen (hashable) dataclass. Every field is checked when it is made:
a value out of range, not finite or of the wrong type raises a :class:`ValueError` that names the
parameter, its unit and its valid range. Nothing is clamped.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

TASKS = ("walking", "single_leg_stance", "standing", "sitting", "fair")
"""Tasks the model knows. ``walking`` is the stance phase of gait (51 instants, 0-100 %);
the others are static postures with one instant. ``sitting`` and ``fair`` (flexion-adduction-
internal rotation test position) are posture-only: the muscles are relaxed."""

WEIGHT_BEARING_TASKS = ("walking", "single_leg_stance", "standing")
"""Tasks in which dynamic knee valgus changes the hip posture (the leg carries the body)."""

SINGLE_LIMB_TASKS = ("walking", "single_leg_stance")
"""Tasks in which weak abductors can let the opposite side of the pelvis drop."""

NERVE_VARIANTS = ("A", "B", "C", "D", "E", "F")
"""Beaton-Anson types of the sciatic nerve relative to the piriformis (used by the nerve model)."""

STRENGTH_SETS = ("gait2392", "cadaver")
"""Maximum isometric force sets: the OpenSim gait2392 values, or cadaver PCSA x specific tension
for the gluteals and deep rotators (``data/muscles.csv``)."""

DEFAULT_STRENGTH_SET = "gait2392"


class NumberRange(NamedTuple):
    """Unit, valid range and meaning of a numeric scenario field (used for messages and help)."""

    unit: str
    low: float
    high: float
    meaning: str


NUMERIC_FIELDS = {
    "valgus_deg": NumberRange(
        "deg", 0.0, 25.0, "dynamic knee valgus, frontal-plane projection angle"),
    "glute_med_strength": NumberRange(
        "fraction of normal", 0.2, 1.0, "strength of gluteus medius and minimus"),
    "glute_max_strength": NumberRange(
        "fraction of normal", 0.2, 1.0, "strength of gluteus maximus"),
    "body_mass_kg": NumberRange("kg", 35.0, 160.0, "body mass"),
    "stance_pct": NumberRange(
        "% of stance", 0.0, 100.0,
        "one instant of walking stance (None = the whole stance, 51 instants; walking only)"),
}

CHOICE_FIELDS = {
    "task": TASKS,
    "nerve_variant": NERVE_VARIANTS,
    "strength_set": STRENGTH_SETS,
}


def _is_number(value) -> bool:
    # bool is an int subclass in Python; a checkbox value must not pass as a number.
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_number(name: str, value) -> float:
    spec = NUMERIC_FIELDS[name]
    where = f"{name} ({spec.meaning}) must be a number in {spec.unit} from {spec.low:g} to " \
            f"{spec.high:g}"
    if not _is_number(value):
        raise ValueError(f"{where}; got {value!r} of type {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{where}; got {value!r}")
    if not spec.low <= number <= spec.high:
        raise ValueError(f"{where}; got {value!r}")
    return number


def _check_choice(name: str, value) -> str:
    choices = CHOICE_FIELDS[name]
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)} (no unit); got {value!r}")
    return value


@dataclass(frozen=True)
class Scenario:
    """One person doing one task.

    Parameters
    ----------
    valgus_deg : float
        Dynamic knee valgus as a frontal-plane projection angle (deg), 0 to 25.
    glute_med_strength : float
        Strength of gluteus medius together with its deep partner gluteus minimus, as a fraction
        of normal maximum force (1), 0.2 to 1.0.
    glute_max_strength : float
        Strength of gluteus maximus, fraction of normal (1), 0.2 to 1.0.
    body_mass_kg : float
        Body mass (kg), 35 to 160. Scales the hip demand, not the muscles.
    task : str
        One of :data:`TASKS`.
    abductor_compensation : bool
        If True, weak abductors also change the movement: the opposite side of the pelvis drops
        and the stance hip adducts (walking and single-leg stance only). Off by default so that
        the effects of weakness on load sharing and on movement can be told apart.
    nerve_variant : str
        Beaton-Anson type A to F (used by the deep-gluteal-space model, not by the muscles).
    strength_set : str
        ``"gait2392"`` (default) or ``"cadaver"``; see ``docs/MODEL.md``.
    stance_pct : float or None
        Walking only: one instant of stance (% of stance, 0 to 100), interpolated in the trial.
        ``None`` (default) simulates the whole stance. Must be ``None`` for static tasks.

    Raises
    ------
    ValueError
        For any value out of range, NaN, infinite or of the wrong type, naming the parameter,
        its unit and its valid range.
    """

    valgus_deg: float = 0.0
    glute_med_strength: float = 1.0
    glute_max_strength: float = 1.0
    body_mass_kg: float = 70.0
    task: str = "walking"
    abductor_compensation: bool = False
    nerve_variant: str = "A"
    strength_set: str = DEFAULT_STRENGTH_SET
    stance_pct: float | None = None

    def __post_init__(self):
        for name in ("valgus_deg", "glute_med_strength", "glute_max_strength", "body_mass_kg"):
            object.__setattr__(self, name, _check_number(name, getattr(self, name)))
        for name in CHOICE_FIELDS:
            _check_choice(name, getattr(self, name))
        if not isinstance(self.abductor_compensation, bool):
            value = self.abductor_compensation
            raise ValueError("abductor_compensation must be True or False (no unit); got "
                             f"{value!r} of type {type(value).__name__}")
        if self.stance_pct is not None:
            if self.task != "walking":
                raise ValueError(
                    "stance_pct (% of stance) applies to task 'walking' only and must be None for "
                    f"task {self.task!r}; got {self.stance_pct!r}")
            object.__setattr__(self, "stance_pct", _check_number("stance_pct", self.stance_pct))

    def healthy(self) -> Scenario:
        """The same person and task with healthy movement: valgus 0, full strength."""
        return Scenario(body_mass_kg=self.body_mass_kg, task=self.task,
                        nerve_variant=self.nerve_variant, strength_set=self.strength_set,
                        stance_pct=self.stance_pct)
