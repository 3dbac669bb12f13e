"""The controls' table, the shared link's parser and the scenario they build; no dashboard."""

from __future__ import annotations

import pytest

from deepgluteal import controls, link, scenario, space, story, text
from deepgluteal.controls import CONTROLS, LinkNote, parse_link, scenario_from_values
from deepgluteal.presets import HEALTHY, presets
from deepgluteal.scenario import NUMERIC_FIELDS, Scenario


def english(key: str, **values) -> str:
    return text.message(key, "en", **values)


def test_the_ranges_come_from_the_scenario_alone():
    for name in controls.SLIDERS:
        control = CONTROLS[name]
        spec = NUMERIC_FIELDS[control.field]
        assert (control.low, control.high) == (round(spec.low * control.scale),
                                                round(spec.high * control.scale))
        assert (control.high - control.low) % control.step == 0, "the slider reaches its end"
    assert (CONTROLS["glute_med"].low, CONTROLS["glute_med"].high) == (20, 100)
    assert CONTROLS["variant"].choices == scenario.NERVE_VARIANTS == space.VARIANTS
    assert CONTROLS["task"].choices == scenario.TASKS
    assert story.NUMBER_CONTROLS["glute_max"] == (20, 100, 5)


def test_every_control_has_words_in_every_language():
    for lang in text.LANGUAGES:
        catalogue = text.catalogue(lang)
        for control in controls.TABLE:
            assert control.words in catalogue, (lang, control.name)
            assert not control.help or control.help in catalogue, (lang, control.name)
            if control.options:
                for value in control.choices:
                    assert control.options + value in catalogue, (lang, control.name, value)


def test_the_first_view_is_the_default_scenario_at_the_first_moment():
    first = controls.first_view()
    assert scenario_from_values(first) == Scenario()
    assert link.state_query(link.DEFAULTS, "en") == "lang=en"


def test_the_scenario_of_control_values_scales_them_back():
    values = {**controls.first_view(), "valgus": 12, "glute_med": 35, "glute_max": 60,
              "task": "sitting", "variant": "D", "compensation": True}
    assert scenario_from_values(values) == Scenario(
        valgus_deg=12.0, glute_med_strength=0.35, glute_max_strength=0.6, task="sitting",
        nerve_variant="D", abductor_compensation=True)


def test_a_value_the_scenario_refuses_names_parameter_unit_and_range():
    with pytest.raises(ValueError, match=r"glute_med_strength .* fraction of normal from 0.2 "
                                         r"to 1"):
        scenario_from_values({**controls.first_view(), "glute_med": 10})


@pytest.mark.parametrize("name", list(presets()))
def test_a_preset_sets_its_fields_on_the_controls(name):
    current = {**controls.first_view(), "variant": "C", "stance": 64}
    values = preset = controls.preset_values(name, current)
    fields = presets()[name]
    assert scenario_from_values(values) == Scenario(
        **fields, nerve_variant="A" if name == HEALTHY else "C")
    assert preset["stance"] == (controls.first_view()["stance"] if name == HEALTHY else 64)


def test_a_link_sets_its_values():
    parsed = parse_link("valgus=12&glute_med=50&task=sitting&stance=64&variant=D"
                        "&compensation=1&mode=student&lang=es&display=projector")
    assert parsed.values == {"valgus": 12, "glute_med": 50, "task": "sitting", "stance": 64,
                             "variant": "D", "compensation": True, "mode": "student",
                             "lang": "es", "display": "projector"}
    assert parsed.notes == []
    assert parse_link(None) == parse_link("") == ({}, [])


def test_a_written_link_reads_back():
    values = {**controls.first_view(), "valgus": 7, "glute_max": 40, "stance": 86,
              "compensation": True, "variant": "F"}
    parsed = parse_link(link.state_query(values, "es", "student"))
    assert controls.first_view() | parsed.values == values | {"mode": "student", "lang": "es"}


def test_a_repeated_parameter_counts_with_its_last_value():
    assert parse_link("valgus=3&valgus=9").values == {"valgus": 9}
    assert parse_link("valgus=3&valgus=banana") == (
        {}, [LinkNote("valgus", unit="deg", low=0, high=25, default=0)])
    assert parse_link("valgus=banana&valgus=3") == ({"valgus": 3}, [])


def test_numbers_are_rounded_to_the_sliders_whole_numbers():
    assert parse_link("valgus=12.4&glute_med=49.6&stance=+8").values == {
        "valgus": 12, "glute_med": 50, "stance": 8}


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "1e309", "", "26", "-1", "25.01",
                                 "banana", "12deg", "0x10", "ｖ", "\u202e12", "%00", "1,5",
                                 "12 13", "None", "true"])
def test_a_bad_number_is_left_out_with_a_note_naming_unit_and_range(raw):
    parsed = parse_link(f"valgus={raw}")
    assert parsed.values == {}
    assert parsed.notes == [LinkNote("valgus", unit="deg", low=0, high=25, default=0)]
    assert controls.note_words(parsed.notes[0], english) == (
        "valgus must be 0-25 deg; using the default 0.")


def test_a_note_names_the_value_the_page_keeps():
    current = {**controls.first_view(), "glute_max": 45, "task": "standing", "mode": "student",
               "lang": "es", "display": "projector", "compensation": True}
    parsed = parse_link("glute_max=19&task=flying&mode=teacher&lang=fr&display=cinema"
                        "&compensation=yes&preset=nothing", current)
    assert parsed.values == {}
    assert [(note.parameter, note.valid_range(), note.default) for note in parsed.notes] == [
        ("lang", "en, es", "es"),
        ("preset", ", ".join(presets()), HEALTHY),
        ("glute_max", "20-100 % of normal", 45),
        ("task", ", ".join(scenario.TASKS), "standing"),
        ("compensation", "0, 1", "1"),
        ("mode", "patient, student", "student"),
        ("display", "screen, projector", "projector"),
    ]


def test_the_notes_after_a_preset_name_its_values():
    preset = presets()["weak_glutes_valgus"]
    parsed = parse_link("preset=weak_glutes_valgus&glute_med=0")
    assert parsed.values == {"preset": "weak_glutes_valgus"}
    assert parsed.notes[0].default == round(preset["glute_med_strength"] * 100)


def test_unknown_parameters_are_noted_once_sorted_and_cut_short():
    long = "x" * 100
    parsed = parse_link(f"zeta=1&alpha=2&zeta=3&{long}=1&valgus=4&%E2%9C%93=1&=5")
    assert parsed.values == {"valgus": 4}
    assert [note.parameter for note in parsed.notes] == sorted(["", "zeta", "alpha", "x" * 40,
                                                                      "✓"])
    assert not any(note.known for note in parsed.notes)
    assert controls.note_words(parsed.notes[1], english) == (
        "The link has a setting this page does not know: alpha. It was left out.")


@pytest.mark.parametrize("query", ["valgus", "&&&", "valgus==3", "%", "%zz=1", "a=%ff%fe",
                                   "task=walking%00", "lang=" + "e" * 10_000, "\x00=\x00"])
def test_junk_never_raises(query):
    parsed = parse_link(query)
    assert set(parsed.values) <= set(CONTROLS)
    assert all(isinstance(note, LinkNote) for note in parsed.notes)


def test_the_handout_names_the_settings_the_task_first():
    values = {**controls.first_view(), "valgus": 12, "compensation": True}
    assert controls.settings_lines(values, english) == [
        "Activity: Walking", "Knee falling inwards (valgus), degrees: 12",
        "Gluteus medius strength, % of normal: 100", "Gluteus maximus strength, % of normal: 100",
        "Moment in stance, %: 20", "Route of the nerve: Type A: below the piriformis",
        "Weak hip muscles also change the movement"]
    sitting = controls.settings_lines({**values, "task": "sitting", "compensation": False},
                                      english)
    assert not any(line.startswith("Moment in stance") for line in sitting)
    assert len(sitting) == 5
