"""The guided story: its data, its computed captions, its words (deepgluteal.story)."""

from __future__ import annotations

import re

import pytest
from test_text import readability, reads_easily

from deepgluteal import story, text
from deepgluteal.controls import scenario_from_values
from deepgluteal.model import simulate
from deepgluteal.scenario import Scenario

START = {"valgus": 0, "glute_med": 100, "glute_max": 100, "stance": 20, "task": "walking",
         "variant": "A", "compensation": False}


def sentences(caption) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(caption).strip()) if s]


@pytest.fixture(scope="module", params=text.LANGUAGES)
def planned(request):
    return request.param, story.plan(story.load_story(), START, request.param)


def test_the_clinic_story_has_the_seven_steps_of_the_issue(planned):
    _lang, steps = planned
    assert len(steps) == 7
    ends = [step.end for step in steps]
    assert ends[0] == START                                          # 1 healthy walking
    assert ends[1]["valgus"] > 0 and ends[1]["glute_max"] == 100     # 2 the knee falls in
    assert [t["glute_max"] < 100 and t["glute_med"] == 100 for t in steps[2].targets] == [
        True, False]                                                 # 3 weak max, then both
    assert ends[2]["glute_med"] < 100 and ends[2]["valgus"] == 0
    assert ends[3]["valgus"] > 0 and ends[3]["glute_med"] < 100     # 4 both together
    assert [t["task"] for t in steps[4].targets] == ["walking", "sitting"]  # 5 room, sitting
    assert ends[5] == START                                          # 6 what helps
    assert steps[6].highlight == "red_flags"                         # 7 red flags


def test_every_caption_has_at_most_three_sentences_that_read_easily(planned):
    lang, steps = planned
    for step in steps:
        assert 1 <= len(sentences(step.caption)) <= story.MAX_SENTENCES, step.caption
        scores = readability(" ".join(step.caption), lang)
        assert reads_easily(scores), (step.number, scores)


def test_the_student_mode_adds_numbers_and_the_equation(planned):
    _lang, steps = planned
    for step in steps:
        student = " ".join(step.student)
        assert "=" in student and "Σ" in student
    assert re.search(r"[+−-]\d+ N", " ".join(steps[1].student))


def test_step_two_says_what_the_model_computes_for_each_deep_rotator():
    """Not a hard-coded claim: the muscles said to work harder or less are those whose force
    the model raises or lowers, in the part of the step where it changes most."""
    steps = story.plan(story.load_story(), START, "en")
    changes = story.muscle_changes(simulate(Scenario(valgus_deg=steps[1].end["valgus"])))
    caption = " ".join(steps[1].caption)
    words = {"quad_fem_r": "quadratus femoris", "gem_r": "gemelli", "peri_r": "piriformis"}
    said_more = re.search(r"In this model, (.*?) works? harder, most (.*?)\.", caption)
    said_less = re.search(r"But (.*?) works? less, most (.*?)\.", caption)
    for name, (direction, _size, stance_pct) in changes.items():
        phase = text.message(f"story.when_{story._phase(stance_pct)}", "en")
        if direction == "more":
            assert said_more and words[name] in said_more.group(1) and phase == said_more.group(2)
        if direction == "less" and said_less:
            assert words[name] in said_less.group(1) and phase == said_less.group(2)
    # the model's answer for valgus alone: quadratus femoris up early, piriformis down late
    assert changes["quad_fem_r"][0] == "more" and changes["peri_r"][0] == "less"


def test_a_healthy_state_is_never_said_to_load_the_deep_rotators():
    ctx = story.Context(dict(START), None, "en")
    patient, _ = story.deep_rotator_changes(ctx)
    assert patient == ["the quadratus femoris, the gemelli and the piriformis hardly change."]
    patient, _ = story.deep_rotator_load(ctx)
    assert "about as hard as" in patient[0]
    patient, _ = story.room(ctx)
    assert "about as much room" in patient[0]


def test_what_helps_is_computed_from_the_load_before_and_after():
    steps = story.plan(story.load_story(), START, "en")
    before = simulate(scenario_from_values(steps[3].end)).deep_rotator_mean_load_ratio
    assert before > 1.5
    assert "falls from about " + text.format_number(before, 1) in " ".join(steps[5].caption)
    worse = dict(START, valgus=20, glute_med=30, glute_max=30)
    ctx = story.Context(worse, dict(START), "en")
    patient, _ = story.load_change(ctx)
    assert "rises" in patient[0]


def test_the_nerve_is_shown_where_its_room_narrows_most():
    steps = story.plan(story.load_story(), START, "en")
    walking = steps[4].targets[0]
    result = simulate(scenario_from_values(walking))
    least = result.stance_pct[result.clearance_change_mm.argmin()]
    assert walking["stance"] == round(float(least))
    assert "less room" in steps[4].caption[0]


def test_frames_move_on_slider_steps_to_the_end():
    end = dict(START, valgus=12, glute_med=50, task="sitting")
    frames = story.frames(START, end, 30)
    assert frames[-1] == end and len(frames) == 12
    assert all(f["task"] == "walking" for f in frames[:-1])
    valgus = [f["valgus"] for f in frames]
    assert valgus == sorted(valgus) and len(set(valgus)) == 12
    assert all((f["glute_med"] - 20) % 5 == 0 for f in frames)
    assert len(story.frames(START, end, 4)) == 4
    assert story.frames(START, START, 10) == [START]


@pytest.mark.parametrize("raw, message", [
    ({"title": "story.title"}, "at least one [[steps]]"),
    ({"title": "nope", "steps": []}, "'nope' is not a key"),
    ({"title": "story.title", "steps": [{"scenes": [{"state": {"valgus": 30}, "say": [
        "story.title"]}]}]}, "step 1, scene 1: valgus must be a whole number from 0 to 25"),
    ({"title": "story.title", "steps": [{"scenes": [{"state": {"knee": 3}, "say": [
        "story.title"]}]}]}, "unknown control 'knee'"),
    ({"title": "story.title", "steps": [{"scenes": [{"say": ["finding:magic"]}]}]},
     "unknown 'finding:magic'"),
    ({"title": "story.title", "steps": [{"duration_s": -1, "scenes": []}]},
     "duration_s must be 0 to 30"),
])
def test_a_bad_story_file_names_the_step_and_the_key(raw, message):
    with pytest.raises(story.StoryError, match=re.escape(message)):
        story.parse_story(raw, "mine")


def test_a_teacher_can_add_a_story_as_data(tmp_path, monkeypatch):
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "short.toml").write_text(
        'title = "story.title"\n[[steps]]\n[[steps.scenes]]\nstate = { glute_med = 40 }\n'
        'say = ["finding:takeover"]\n')
    monkeypatch.setattr(story, "data_dir", lambda: tmp_path)
    assert story.story_names() == ("short",)
    mine = story.load_story("short")
    (step,) = story.plan(mine, START, "en")
    assert step.end["glute_med"] == 40
    assert step.caption[0].startswith("With a weak gluteus medius,")
