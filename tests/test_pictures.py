"""The picture cache and the draw-ahead scheduler (``deepgluteal.pictures``), with stand-ins for
the model and the views: what is drawn when, what is kept, and what happens on failure."""

from __future__ import annotations

import asyncio
import types
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import pytest

from deepgluteal.pictures import (
    DRAW_AHEAD_DEFAULT,
    Pictures,
    draw_ahead_depth,
    frame_key,
    likely_next_states,
)

NAMES = ("posterior", "frontal", "loads")
STEPS = {"valgus": 1, "glute_med": 5, "glute_max": 5, "stance": 2}
RANGES = {"valgus": (0, 25), "glute_med": (20, 100), "glute_max": (20, 100), "stance": (0, 100)}
VALUES = {"valgus": 3, "glute_med": 100, "glute_max": 100, "stance": 20, "task": "walking"}


class Scenario(NamedTuple):
    valgus: int = 3
    glute_med: int = 100
    glute_max: int = 100
    task: str = "walking"


scenario = Scenario


class Recorder:
    """Stand-ins for the model run and the drawing, recording each call."""

    def __init__(self):
        self.calls = []

    def prepare(self, scenario, stance_pct):
        self.calls.append(("prepare", scenario.valgus, stance_pct))
        return (scenario.valgus, stance_pct)

    def draw(self, name, prepared):
        self.calls.append(("draw", name, prepared))
        return f"{name}:{prepared}".encode()


def pictures(depth=1):
    recorder = Recorder()
    return Pictures(NAMES, recorder.prepare, recorder.draw, depth=depth), recorder


def shown(store, state, stance=20):
    sent = {}
    store.show(state, stance, lambda: (state.valgus, stance), sent.__setitem__)
    return sent


@pytest.mark.parametrize(("setting", "depth"), [
    ("0", 0), ("5", 5), (" 3 ", 3), ("", DRAW_AHEAD_DEFAULT), ("many", DRAW_AHEAD_DEFAULT),
    ("-1", DRAW_AHEAD_DEFAULT), ("99", DRAW_AHEAD_DEFAULT), ("2.5", DRAW_AHEAD_DEFAULT),
])
def test_draw_ahead_setting_from_the_environment(setting, depth):
    assert draw_ahead_depth({"DGS_DRAW_AHEAD": setting}) == depth


def test_a_state_is_drawn_once_and_then_only_sent():
    store, recorder = pictures()
    state = scenario()
    first = shown(store, state)
    assert list(first) == list(NAMES)
    assert [call[0] for call in recorder.calls] == ["draw"] * 3
    recorder.calls.clear()
    assert shown(store, state) == first
    assert recorder.calls == []
    assert store.drawn(state, 20)


def test_static_tasks_keep_one_picture_whatever_the_moment():
    sitting = scenario(task="sitting")
    assert frame_key(sitting, 20) == frame_key(sitting, 60)
    assert frame_key(scenario(), 20) != frame_key(scenario(), 60)


def test_pictures_kept_are_bounded_in_bytes_the_oldest_forgotten_first():
    state_bytes = 3 * 1000  # three pictures of 1000 bytes
    store = Pictures(NAMES, lambda scenario, stance: None, lambda name, data: bytes(1000),
                     depth=1, budget_bytes=10 * state_bytes)
    states = [scenario(valgus=v) for v in range(15)]
    for state in states:
        shown(store, state)
    assert [key[0].valgus for key in store.frames] == list(range(5, 15))
    shown(store, states[5])  # revisited: now the most recent
    shown(store, scenario(valgus=999))
    assert len(store.frames) == 10
    assert store.kept_bytes() == 10 * state_bytes
    assert store.drawn(states[5], 20)
    assert not store.drawn(states[6], 20)
    assert not store.drawn(states[0], 20)
    store.clear()
    assert store.frames == {}


def test_a_state_larger_than_the_budget_is_still_shown_and_kept_alone():
    store = Pictures(NAMES, lambda scenario, stance: None, lambda name, data: bytes(1000),
                     depth=1, budget_bytes=2000)
    shown(store, scenario(valgus=1))
    sent = shown(store, scenario(valgus=2))
    assert list(sent) == list(NAMES)
    assert list(store.frames) == [frame_key(scenario(valgus=2), 20)]


def test_drawing_ahead_goes_in_small_pieces_the_model_run_first():
    store, recorder = pictures()
    state = scenario(valgus=4)
    store.plan([(state, 20)])
    pieces = 0
    while store.draw_ahead():
        pieces += 1
    assert pieces == 4  # the preparation, then one view at a time
    assert recorder.calls == [("prepare", 4, 20)] + [("draw", name, (4, 20)) for name in NAMES]
    recorder.calls.clear()
    assert shown(store, state)["loads"] == b"loads:(4, 20)"
    assert recorder.calls == []  # reached, not drawn


def test_likely_next_states_follow_the_last_move_and_skip_what_is_drawn():
    def of(values):
        return Scenario(values["valgus"], values["glute_med"], values["glute_max"])

    def states(drawn=lambda *_: False, **options):
        arguments = {"playing": False, "last_move": None, "depth": 8} | options
        return likely_next_states(VALUES, RANGES, STEPS, cursor="stance", scenario_of=of,
                                  drawn=drawn, **arguments)

    first = states(last_move=("valgus", -1), depth=1)
    assert [(s.valgus, stance) for s, stance in first] == [(2, 20)]
    assert len(states()) == 6  # glute_med and glute_max are at their top: one neighbour less
    assert states(depth=0) == []
    assert [(s.valgus, stance) for s, stance in states(playing=True)] == [(3, 22), (3, 24)]
    drawn = states(drawn=lambda state, stance: state.valgus == 4, depth=1)
    assert [(s.valgus, stance) for s, stance in drawn] == [(2, 20)]


def test_play_starts_over_after_the_last_moment():
    values = VALUES | {"stance": 98}
    found = likely_next_states(values, RANGES, STEPS, cursor="stance", playing=True,
                               last_move=None, depth=2, scenario_of=lambda v: scenario(),
                               drawn=lambda *_: False)
    assert [stance for _, stance in found] == [100, 0]


def test_a_failure_while_drawing_ahead_is_logged_and_stops_the_plan(caplog):
    def broken(name, prepared):
        raise RuntimeError("no pixels")

    recorder = Recorder()
    store = Pictures(NAMES, recorder.prepare, broken, depth=1)
    store.plan([(scenario(valgus=7), 20)])
    loop = types.SimpleNamespace(call_later=lambda *args: None)
    store.step(loop)  # the preparation
    store.step(loop)  # the first view fails
    assert "Drawing ahead failed" in caplog.text
    assert store.ahead == []
    assert store.draw_ahead() is False


def test_inside_an_event_loop_the_plan_runs_by_itself_between_messages():
    store, recorder = pictures()

    async def idle_kernel():
        store.plan([(scenario(valgus=9), 20)])
        for _ in range(200):
            if store.drawn(scenario(valgus=9), 20):
                return
            await asyncio.sleep(0.005)

    # A loop of its own in a thread: a whole test session may already run one in this thread.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, idle_kernel()).result(timeout=60)
    assert store.drawn(scenario(valgus=9), 20)
    assert [call[0] for call in recorder.calls] == ["prepare", "draw", "draw", "draw"]


def test_no_view_imports_a_model_module():
    """Views draw what they are given (issue #14): under ``views/`` only other views, the
    words (``deepgluteal.text``), matplotlib, numpy and PIL are imported."""
    import ast
    from pathlib import Path

    import deepgluteal.views

    allowed = ("deepgluteal.views", "deepgluteal.text")
    found = {}
    for path in Path(deepgluteal.views.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "deepgluteal":
                modules = [f"deepgluteal.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            found.setdefault(path.name, []).extend(
                module for module in modules
                if module.startswith("deepgluteal") and not module.startswith(allowed))
    found = {name: modules for name, modules in found.items() if modules}
    assert found == {}
