"""The guided story "Explain it step by step": its steps as data, its captions computed.

A story is a TOML file in ``data/stories/`` (format at the top of ``data/stories/clinic.toml``):
steps, each moving the controls through one or more scenes, each scene with a caption made of
fixed catalogue sentences and *findings*, sentences this module computes from the model for the
scene's state (which deep rotators work harder and when, who takes over, how much room the
nerve has). The words come from the catalogue (``story.*`` keys); the claims come from the model,
so a caption can never say more than the pictures beside it show.

No widgets here: :mod:`deepgluteal.dashboard_story` plays a story on the dashboard.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache

import numpy as np

from deepgluteal import controls, text
from deepgluteal.datafiles import data_dir
from deepgluteal.model import simulate
from deepgluteal.presets import DEFAULT_STANCE_PCT

STORY_DIR = "stories"
DEFAULT_STORY = "clinic"
MAX_SENTENCES = 3
"""A caption has at most this many sentences (the student mode adds its numbers after them)."""

# Controls a scene may set: name -> (low, high, slider step) for numbers, or the valid choices.
NUMBER_CONTROLS = {name: (controls.CONTROLS[name].low, controls.CONTROLS[name].high,
                          controls.CONTROLS[name].step) for name in controls.SLIDERS}
CHOICE_CONTROLS = {name: controls.CONTROLS[name].choices for name in controls.STATE
                   if name not in controls.SLIDERS}
LEAST_ROOM = "least_room"
HIGHLIGHTS = ("red_flags",)

# Words for where in the step a change is largest: a plain-language division of stance, close
# to the classic weight acceptance / single support / push-off (Winter 2009, ``winter2009``).
# A teaching division, not measured boundaries.
PHASES = (("early", 0.0, 25.0), ("middle", 25.0, 65.0), ("late", 65.0, 100.0))

# Thresholds that choose words only (they change no number): below them a muscle "hardly
# changes", because the model's inputs are not that precise.
NOTICE_N = 5.0            # at least 5 N more or less ...
NOTICE_FRACTION = 0.1     # ... and at least 10 % of that muscle's healthy peak
TAKEOVER_GROUPS = 2       # the groups named as taking over
SAME_LOAD_BAND = 0.1      # +-10 % reads as "about as hard"
SAME_ROOM_MM = 0.5        # under half a millimetre reads as "about the same room"

DEEP_ROTATORS = ("quad_fem_r", "gem_r", "peri_r")
"""The model's deep rotators (gait2392 names): quadratus femoris, gemelli with obturator
internus, piriformis."""


class StoryError(ValueError):
    """A story file that does not follow the format; the message names the step and key."""


@dataclass(frozen=True)
class Scene:
    state: dict          # control name -> value (``stance`` may be "least_room")
    say: tuple[str, ...]  # catalogue keys and "finding:<name>"


@dataclass(frozen=True)
class Step:
    scenes: tuple[Scene, ...]
    duration_s: float
    highlight: str | None


@dataclass(frozen=True)
class Story:
    name: str
    title_key: str
    steps: tuple[Step, ...]


# --------------------------------------------------------------------------------------------
# Reading a story
# --------------------------------------------------------------------------------------------

def story_names() -> tuple[str, ...]:
    """Stories in ``data/stories/``, the default first."""
    names = sorted(path.stem for path in (data_dir() / STORY_DIR).glob("*.toml"))
    return tuple(sorted(names, key=lambda name: name != DEFAULT_STORY))


@cache
def load_story(name: str = DEFAULT_STORY) -> Story:
    """Read and check ``data/stories/<name>.toml``.

    Raises
    ------
    StoryError
        Naming the file, the step (counted from 1) and the key that is wrong.
    """
    path = data_dir() / STORY_DIR / f"{name}.toml"
    if not path.exists():
        raise StoryError(f"no story {name!r}; stories: {', '.join(story_names())}")
    with open(path, "rb") as handle:
        return parse_story(tomllib.load(handle), name)


def parse_story(raw: dict, name: str = "story") -> Story:
    """A story from its parsed TOML (see :func:`load_story`)."""
    title = raw.get("title")
    _check_key(title, f"{name}: title")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise StoryError(f"{name}: needs at least one [[steps]]")
    steps = []
    for number, step in enumerate(steps_raw, start=1):
        where = f"{name}, step {number}"
        duration = step.get("duration_s", 2.0)
        if isinstance(duration, bool) or not isinstance(duration, int | float) \
                or not 0 <= duration <= 30:
            raise StoryError(f"{where}: duration_s must be 0 to 30 seconds (got {duration!r})")
        highlight = step.get("highlight")
        if highlight is not None and highlight not in HIGHLIGHTS:
            raise StoryError(f"{where}: highlight must be one of {', '.join(HIGHLIGHTS)} "
                             f"(got {highlight!r})")
        scenes_raw = step.get("scenes")
        if not isinstance(scenes_raw, list) or not scenes_raw:
            raise StoryError(f"{where}: needs at least one [[steps.scenes]]")
        scenes = tuple(_parse_scene(scene, f"{where}, scene {i}")
                       for i, scene in enumerate(scenes_raw, start=1))
        steps.append(Step(scenes, float(duration), highlight))
    return Story(name, title, tuple(steps))


def _check_key(key, where: str) -> None:
    for lang in text.LANGUAGES:
        if not isinstance(key, str) or key not in text.catalogue(lang):
            raise StoryError(f"{where}: {key!r} is not a key of the {lang!r} catalogue")


def _parse_scene(raw: dict, where: str) -> Scene:
    state = raw.get("state", {})
    if not isinstance(state, dict):
        raise StoryError(f"{where}: state must be a table")
    for key, value in state.items():
        if key in NUMBER_CONTROLS:
            low, high, step = NUMBER_CONTROLS[key]
            if key == "stance" and value == LEAST_ROOM:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high \
                    or (value - low) % step:
                raise StoryError(f"{where}: {key} must be a whole number from {low} to {high} "
                                 f"in steps of {step} (got {value!r})")
        elif key in CHOICE_CONTROLS:
            if value not in CHOICE_CONTROLS[key] or isinstance(value, bool) != (
                    key == "compensation"):
                choices = ", ".join(map(str, CHOICE_CONTROLS[key]))
                raise StoryError(f"{where}: {key} must be one of {choices} (got {value!r})")
        else:
            known = ", ".join([*NUMBER_CONTROLS, *CHOICE_CONTROLS])
            raise StoryError(f"{where}: unknown control {key!r} (known: {known})")
    say = raw.get("say", [])
    if not isinstance(say, list) or not say:
        raise StoryError(f"{where}: say must be a list of catalogue keys and findings")
    for item in say:
        if isinstance(item, str) and item.startswith("finding:"):
            if item.removeprefix("finding:") not in FINDINGS:
                raise StoryError(f"{where}: unknown {item!r} (findings: {', '.join(FINDINGS)})")
        else:
            _check_key(item, where)
    return Scene(dict(state), tuple(say))


# --------------------------------------------------------------------------------------------
# States
# --------------------------------------------------------------------------------------------

def resolve(values: dict, scene: Scene) -> dict:
    """The control values after a scene: ``values`` changed by the scene's state, with
    ``stance = "least_room"`` turned into the moment the model computes for it."""
    new = {**values, **scene.state}
    if new["stance"] == LEAST_ROOM:
        result = simulate(controls.scenario_from_values(new))
        if len(result.stance_pct) > 1:
            least = int(np.argmin(result.clearance_change_mm))
            new["stance"] = int(round(float(result.stance_pct[least])))
        else:
            new["stance"] = values["stance"] if values["stance"] != LEAST_ROOM \
                else DEFAULT_STANCE_PCT
    return new


def frames(start: dict, end: dict, max_frames: int) -> list[dict]:
    """Intermediate control values from ``start`` to ``end`` (``end`` last), each on its
    sliders' steps, so that the pictures move smoothly instead of jumping.

    Numbers move together in equal parts; a choice (task, variant, compensation) changes with
    the last frame. At most ``max_frames`` frames, at least one.
    """
    steps_needed = max([abs(end[name] - start[name]) / NUMBER_CONTROLS[name][2]
                        for name in NUMBER_CONTROLS if end[name] != start[name]] or [1])
    count = max(1, min(int(max_frames), math.ceil(steps_needed)))
    result = []
    for i in range(1, count + 1):
        fraction = i / count
        frame = dict(start) if i < count else dict(end)
        if i < count:
            for name, (low, high, step) in NUMBER_CONTROLS.items():
                value = start[name] + fraction * (end[name] - start[name])
                frame[name] = int(min(high, max(low, low + step * round((value - low) / step))))
        result.append(frame)
    return result


# --------------------------------------------------------------------------------------------
# Findings: sentences computed from the model
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What a finding compares: the scene's state and the last state of the same task shown
    before the step (``before``, for :func:`load_change`)."""

    values: dict
    before: dict | None
    lang: str


def _phase(stance_pct: float) -> str:
    for name, low, high in PHASES:
        if low <= stance_pct < high:
            return name
    return PHASES[-1][0]


def muscle_changes(result) -> dict[str, tuple[str, float, float]]:
    """Each deep rotator's largest change of force against healthy over the step.

    Returns
    -------
    dict
        gait2392 name -> (``"more"``, ``"less"`` or ``"same"``, change at its largest in N,
        % of stance where it is largest).
    """
    changes = {}
    for name in DEEP_ROTATORS:
        i = result.muscle_names.index(name)
        force, healthy = result.muscle_force_N[:, i], result.healthy_muscle_force_N[:, i]
        difference = force - healthy
        k = int(np.argmax(np.abs(difference)))
        size = float(difference[k])
        notice = max(NOTICE_N, NOTICE_FRACTION * float(healthy.max()))
        direction = "same" if abs(size) < notice else ("more" if size > 0 else "less")
        changes[name] = (direction, size, float(result.stance_pct[k]))
    return changes


def group_rises(result, weak_groups=()) -> list[tuple[str, float, float]]:
    """Muscle groups other than ``weak_groups`` by how much force they add against healthy at
    their largest, most first: ``(group, N, % of stance)``; only groups that add force."""
    rises = []
    for group in dict.fromkeys(result.muscle_groups):
        if group in weak_groups:
            continue
        mask = np.array([g == group for g in result.muscle_groups])
        difference = (result.muscle_force_N[:, mask].sum(axis=1)
                      - result.healthy_muscle_force_N[:, mask].sum(axis=1))
        k = int(np.argmax(difference))
        if difference[k] >= NOTICE_N:
            rises.append((group, float(difference[k]), float(result.stance_pct[k])))
    return sorted(rises, key=lambda rise: -rise[1])


def _t(key: str, lang: str, **values) -> str:
    return text.message(key, lang, **values)


def _names(keys: list[str], lang: str) -> str:
    words = [_t(key, lang) for key in keys]
    if len(words) == 1:
        return words[0]
    return _t("story.list_and", lang, first=", ".join(words[:-1]), last=words[-1])


def _sentence(words: str) -> str:
    """A sentence starts with a capital, also when it starts with a muscle's name."""
    return words[:1].upper() + words[1:]


def _number(value: float, digits: int, lang: str) -> str:
    return text.format_number(value, digits, lang)


def deep_rotator_changes(ctx: Context) -> tuple[list[str], list[str]]:
    result = simulate(controls.scenario_from_values(ctx.values))
    if len(result.stance_pct) == 1:
        return [_t("story.static_no_step", ctx.lang)], []
    changes = muscle_changes(result)
    patient, student = [], []
    for direction in ("more", "less"):
        by_phase: dict[str, list[str]] = {}
        for name, (way, _size, where) in changes.items():
            if way == direction:
                by_phase.setdefault(_phase(where), []).append(name)
        for phase, names in by_phase.items():
            count = "one" if len(names) == 1 else "many"
            patient.append(_t(f"story.rotators_{direction}_{count}", ctx.lang,
                              muscles=_names([f"story.muscle_{n}" for n in names], ctx.lang),
                              when=_t(f"story.when_{phase}", ctx.lang)))
    same = [name for name, (way, _, _) in changes.items() if way == "same"]
    if same:
        count = "one" if len(same) == 1 else "many"
        patient.append(_t(f"story.rotators_same_{count}", ctx.lang,
                          muscles=_names([f"story.muscle_{n}" for n in same], ctx.lang)))
    student.append(_t("story.student_changes", ctx.lang, changes="; ".join(
        _t("story.student_change", ctx.lang, muscle=_t(f"story.muscle_{name}", ctx.lang),
           newtons=_number(size, 0, ctx.lang).replace("-", "−") if size < 0
           else "+" + _number(size, 0, ctx.lang), stance=_number(where, 0, ctx.lang))
        for name, (_, size, where) in changes.items())))
    return patient, student


def takeover(ctx: Context) -> tuple[list[str], list[str]]:
    scenario = controls.scenario_from_values(ctx.values)
    weak = [group for group, strength in (("glute_med_min", scenario.glute_med_strength),
                                          ("glute_max", scenario.glute_max_strength))
            if strength < 1]
    result = simulate(scenario)
    rises = group_rises(result, weak)[:TAKEOVER_GROUPS]
    which = {("glute_max",): "weak_max", ("glute_med_min",): "weak_med"}.get(tuple(weak),
                                                                          "weak_both")
    if not weak:
        which = "none"
    if not rises:
        return [_t(f"story.takeover_nobody_{which}", ctx.lang)], []
    groups = _names([f"story.group_{group}" for group, _, _ in rises], ctx.lang)
    patient = [_t(f"story.takeover_{which}", ctx.lang, groups=groups)]
    student = [_t("story.student_takeover", ctx.lang, changes="; ".join(
        _t("story.student_change", ctx.lang, muscle=_t(f"story.group_{group}", ctx.lang),
           newtons="+" + _number(size, 0, ctx.lang), stance=_number(where, 0, ctx.lang))
        for group, size, where in rises))]
    return patient, student


def _load_words(ratio: float, lang: str) -> str:
    if abs(ratio - 1) < SAME_LOAD_BAND:
        return _t("story.load_same", lang)
    if ratio < 1:
        return _t("story.load_less", lang, percent=max(10, 10 * round((1 - ratio) * 10)))
    if ratio < 1.75:
        return _t("story.load_more", lang, percent=10 * round((ratio - 1) * 10))
    times = round(ratio * 2) / 2
    return _t("story.load_times", lang,
              times=_number(times, 0 if float(times).is_integer() else 1, lang))


def _level(ratio: float, lang: str) -> str:
    if abs(ratio - 1) < SAME_LOAD_BAND:
        return _t("story.level_same", lang)
    return _t("story.level_times", lang, times=_number(ratio, 1, lang))


def deep_rotator_load(ctx: Context) -> tuple[list[str], list[str]]:
    result = simulate(controls.scenario_from_values(ctx.values))
    ratio = result.deep_rotator_mean_load_ratio
    baseline = _t(f"narrative.baseline_{ctx.values['task']}", ctx.lang)
    patient = [_t("story.over_the_step", ctx.lang, load=_load_words(ratio, ctx.lang),
                  baseline=baseline)]
    student = [_t("story.student_load", ctx.lang, ratio=_number(ratio, 2, ctx.lang))]
    return patient, student


def load_change(ctx: Context) -> tuple[list[str], list[str]]:
    after = simulate(controls.scenario_from_values(ctx.values)).deep_rotator_mean_load_ratio
    if ctx.before is None:
        return deep_rotator_load(ctx)
    before = simulate(controls.scenario_from_values(ctx.before)).deep_rotator_mean_load_ratio
    if abs(after - before) < SAME_LOAD_BAND:
        key = "story.load_change_same"
    else:
        key = "story.load_change_down" if after < before else "story.load_change_up"
    patient = [_t(key, ctx.lang, before=_level(before, ctx.lang), after=_level(after, ctx.lang))]
    student = [_t("story.student_load_change", ctx.lang, before=_number(before, 2, ctx.lang),
                  after=_number(after, 2, ctx.lang))]
    return patient, student


def room(ctx: Context) -> tuple[list[str], list[str]]:
    result = simulate(controls.scenario_from_values(ctx.values))
    index = 0 if len(result.stance_pct) == 1 else int(
        np.abs(result.stance_pct - ctx.values["stance"]).argmin())
    change = float(result.clearance_change_mm[index])
    where = _t(f"space.{result.space.narrowest_space[index]}", ctx.lang)
    walking = len(result.stance_pct) > 1
    reference = "walking" if walking else "rest"
    when = _t(f"story.when_{_phase(float(result.stance_pct[index]))}", ctx.lang) if walking \
        else ""
    if change <= -SAME_ROOM_MM:
        patient = [_t(f"story.room_less_{reference}", ctx.lang, mm=max(1, round(-change)),
                      where=where, when=when)]
    elif change >= SAME_ROOM_MM:
        patient = [_t(f"story.room_more_{reference}", ctx.lang, mm=max(1, round(change)),
                      where=where, when=when)]
    else:
        patient = [_t(f"story.room_same_{reference}", ctx.lang, where=where, when=when)]
    student = [_t("story.student_room", ctx.lang,
                  clearance=_number(float(result.space.narrowest_clearance_mm[index]), 1,
                                    ctx.lang),
                  change=_number(change, 1, ctx.lang),
                  index=_number(float(result.space.compression_index_overall[index]), 2,
                                ctx.lang))]
    return patient, student


FINDINGS = {
    "deep_rotator_changes": deep_rotator_changes,
    "takeover": takeover,
    "deep_rotator_load": deep_rotator_load,
    "load_change": load_change,
    "room": room,
}
"""Sentences computed from the model, by the name a story's ``say`` uses (``finding:<name>``).
Each takes a :class:`Context` and returns (patient sentences, student sentences)."""


# --------------------------------------------------------------------------------------------
# Playing a story (the data; the dashboard moves the controls)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedStep:
    """One step made concrete from a start state: the states its scenes reach and its words."""

    number: int                 # from 1
    targets: tuple[dict, ...]   # control values at the end of each scene
    caption: tuple[str, ...]    # patient sentences, at most MAX_SENTENCES
    student: tuple[str, ...]    # the numbers and equations the student mode adds
    duration_s: float
    highlight: str | None

    @property
    def end(self) -> dict:
        return self.targets[-1]


def plan(story: Story, start: dict, lang: str) -> list[PlannedStep]:
    """Every step of ``story`` from the control values ``start``: where each scene ends and
    what the caption says there (computed from the model)."""
    planned = []
    values = dict(start)
    shown: dict[str, dict] = {}  # task -> last state of that task shown
    for number, step in enumerate(story.steps, start=1):
        targets, caption, student = [], [], []
        shown_before = dict(shown)
        for scene in step.scenes:
            values = resolve(values, scene)
            targets.append(dict(values))
            ctx = Context(dict(values), shown_before.get(values["task"]), lang)
            for item in scene.say:
                if item.startswith("finding:"):
                    patient, numbers = FINDINGS[item.removeprefix("finding:")](ctx)
                    caption += [_sentence(each) for each in patient]
                    student += numbers
                else:
                    caption.append(text.message(item, lang))
            shown[values["task"]] = dict(values)
        student.append(text.message("story.student_method", lang))
        planned.append(PlannedStep(number, tuple(targets), tuple(caption[:MAX_SENTENCES]),
                                   tuple(student), step.duration_s, step.highlight))
    return planned
