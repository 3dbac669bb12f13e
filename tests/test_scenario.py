"""Scenario validation: every bad value is refused with a message naming parameter, unit, range."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from deepgluteal.scenario import (
    DEFAULT_STRENGTH_SET,
    NUMERIC_FIELDS,
    STRENGTH_SETS,
    TASKS,
    Scenario,
)

FLOAT_FIELDS = ("valgus_deg", "glute_med_strength", "glute_max_strength", "body_mass_kg")


def test_interface_names_and_defaults():
    assert TASKS == ("walking", "single_leg_stance", "standing", "sitting", "fair")
    assert set(STRENGTH_SETS) == {"gait2392", "cadaver"}
    scenario = Scenario()
    assert (scenario.valgus_deg, scenario.glute_med_strength, scenario.glute_max_strength,
            scenario.body_mass_kg) == (0.0, 1.0, 1.0, 70.0)
    assert scenario.task == "walking"
    assert scenario.abductor_compensation is False
    assert scenario.nerve_variant == "A"
    assert scenario.strength_set == DEFAULT_STRENGTH_SET == "gait2392"
    assert scenario.stance_pct is None


def test_scenario_is_frozen_and_hashable():
    scenario = Scenario(valgus_deg=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.valgus_deg = 5.0
    assert hash(scenario) == hash(Scenario(valgus_deg=10.0))
    assert scenario == Scenario(valgus_deg=10.0)


@pytest.mark.parametrize("name", FLOAT_FIELDS)
def test_range_ends_are_accepted_unchanged(name):
    spec = NUMERIC_FIELDS[name]
    for value in (spec.low, spec.high, int(spec.high) if spec.high.is_integer() else spec.high,
                  np.float64(spec.low)):
        scenario = Scenario(**{name: value})
        assert getattr(scenario, name) == float(value)
        assert type(getattr(scenario, name)) is float


def _bad_values(name):
    spec = NUMERIC_FIELDS[name]
    width = spec.high - spec.low
    return [spec.low - 0.01 * width, spec.high + 0.01 * width, -1e9, 1e9, math.nan, math.inf,
            -math.inf, True, False, "0.5", None, [0.5], np.bool_(True)]


@pytest.mark.parametrize("name", FLOAT_FIELDS)
def test_bad_numbers_raise_with_name_unit_and_range(name):
    spec = NUMERIC_FIELDS[name]
    for value in _bad_values(name):
        with pytest.raises(ValueError) as error:
            Scenario(**{name: value})
        message = str(error.value)
        assert name in message
        assert spec.unit in message
        assert f"{spec.low:g}" in message and f"{spec.high:g}" in message


def test_nothing_is_clamped():
    with pytest.raises(ValueError):
        Scenario(valgus_deg=25.0001)
    with pytest.raises(ValueError):
        Scenario(glute_med_strength=0.19999)
    with pytest.raises(ValueError):
        Scenario(body_mass_kg=34.9)


@pytest.mark.parametrize("name,bad", [
    ("task", "running"), ("task", "Walking"), ("task", 1), ("task", None),
    ("nerve_variant", "G"), ("nerve_variant", "a"), ("nerve_variant", 0),
    ("strength_set", "rajagopal"), ("strength_set", None),
])
def test_unknown_choices_raise_naming_the_choices(name, bad):
    with pytest.raises(ValueError) as error:
        Scenario(**{name: bad})
    message = str(error.value)
    assert name in message
    assert "no unit" in message
    assert repr(bad) in message


@pytest.mark.parametrize("bad", [1, 0, "yes", None, 1.0])
def test_abductor_compensation_must_be_a_bool(bad):
    with pytest.raises(ValueError, match="abductor_compensation"):
        Scenario(abductor_compensation=bad)
    assert Scenario(abductor_compensation=True).abductor_compensation is True


def test_stance_pct_is_for_walking_only_and_in_range():
    assert Scenario(stance_pct=50).stance_pct == 50.0
    assert Scenario(stance_pct=0).stance_pct == 0.0
    for task in TASKS[1:]:
        with pytest.raises(ValueError, match="stance_pct.*walking"):
            Scenario(task=task, stance_pct=10.0)
    for bad in (-1.0, 100.5, math.nan, True, "50"):
        with pytest.raises(ValueError) as error:
            Scenario(stance_pct=bad)
        assert "stance_pct" in str(error.value) and "% of stance" in str(error.value)
        assert "0 to 100" in str(error.value)


def test_healthy_keeps_the_person_and_task_and_removes_the_problems():
    scenario = Scenario(valgus_deg=12, glute_med_strength=0.4, glute_max_strength=0.3,
                        body_mass_kg=90, task="single_leg_stance", abductor_compensation=True,
                        nerve_variant="B", strength_set="cadaver")
    healthy = scenario.healthy()
    assert (healthy.valgus_deg, healthy.glute_med_strength, healthy.glute_max_strength) == (
        0.0, 1.0, 1.0)
    assert healthy.abductor_compensation is False
    assert (healthy.body_mass_kg, healthy.task, healthy.nerve_variant, healthy.strength_set) == (
        90.0, "single_leg_stance", "B", "cadaver")
