"""The dashboard's pictures: drawn once per state, drawn ahead while the kernel idles, and always
the pictures of the state the controls show.

Without a browser: the dashboard object is driven as the widget messages drive it. The browser
tests (``test_dashboard_browser.py``) drive the served page.
"""

from __future__ import annotations

import io
import types

import numpy as np
import pytest
from PIL import Image

from deepgluteal.dashboard import Dashboard
from deepgluteal.pictures import DRAW_AHEAD_DEFAULT, FRAME_CACHE_BYTES
from deepgluteal.scene import FIGURE_PIXELS
from deepgluteal.views.render import jpeg_bytes


@pytest.fixture(scope="module")
def fresh():
    """A second dashboard that draws every state on demand, to compare with."""
    board = Dashboard()
    board.pictures.depth = 0
    return board


def pictures(board: Dashboard) -> dict[str, bytes]:
    return {name: board.images[name].value for name in FIGURE_PIXELS}


def shown_on_demand(fresh: Dashboard, **values) -> dict[str, bytes]:
    fresh.pictures.clear()
    fresh._set_values(values)
    return pictures(fresh)


def draw_everything_ahead(board: Dashboard) -> int:
    pieces = 0
    while board.pictures.draw_ahead():
        pieces += 1
    return pieces


def test_a_slider_step_drawn_ahead_shows_exactly_what_drawing_on_demand_shows(fresh):
    board = Dashboard()
    board.valgus.value = 1
    assert board.likely_next_states()[0][0].valgus_deg == 2  # onwards, the way it moved
    assert draw_everything_ahead(board) > 0
    frames_before = len(board.pictures.frames)
    board.valgus.value = 2
    assert len(board.pictures.frames) == frames_before  # reached, not drawn
    assert pictures(board) == shown_on_demand(fresh, valgus=2, stance=board.stance.value)


def test_every_view_of_a_state_drawn_ahead_matches_on_demand_whatever_was_drawn_between(fresh):
    board = Dashboard()
    board._set_values({"valgus": 10, "glute_med": 50, "compensation": True, "variant": "C"})
    board.glute_max.value = 95  # moved down: the next state is glute_max 90
    draw_everything_ahead(board)
    board._set_values({"valgus": 0, "glute_med": 100, "compensation": False,
                       "variant": "A", "stance": 60})  # other pictures drawn in between
    board._set_values({"valgus": 10, "glute_med": 50, "compensation": True, "variant": "C",
                       "stance": 20, "glute_max": 90})
    assert pictures(board) == shown_on_demand(
        fresh, valgus=10, glute_med=50, compensation=True, variant="C", stance=20,
        glute_max=90)


def test_play_draws_its_next_frames_and_starts_over_after_the_last():
    board = Dashboard()
    board.stance.value = 98
    board.pictures.depth = 2
    board.play.playing = True
    try:
        states = board.likely_next_states()
        assert [stance for _, stance in states] == [100, 0]
        assert all(scenario == board.scenario() for scenario, _ in states)
        draw_everything_ahead(board)
        assert board.likely_next_states() == []  # both drawn
    finally:
        board.play.playing = False


def test_static_tasks_have_no_moment_to_step_and_sliders_stop_at_their_ends():
    board = Dashboard()
    board._set_values({"task": "sitting", "valgus": 25})
    board.valgus.value = 24
    board.valgus.value = 25  # moved up to the end of the slider
    board.pictures.depth = 8
    states = board.likely_next_states()
    assert states, "the other sliders still have neighbours"
    assert all(scenario.valgus_deg <= 25 for scenario, _ in states)
    assert all(scenario.task == "sitting" and stance == board.stance.value
               for scenario, stance in states)


def test_drawing_ahead_stays_within_its_depth_and_can_be_turned_off():
    board = Dashboard()
    board.valgus.value = 3
    assert len(board.likely_next_states()) == DRAW_AHEAD_DEFAULT
    board.pictures.depth = 0
    board.valgus.value = 4
    assert board.likely_next_states() == []
    assert board.pictures.draw_ahead() is False


def test_pictures_kept_are_bounded_and_forgotten_with_the_language():
    board = Dashboard()
    board.pictures.depth = 0
    moments = range(0, 101, 2)
    for stance in moments:  # one loop of Play
        board.stance.value = stance
    scenario = board.scenario()
    assert all(board.pictures.drawn(scenario, stance) for stance in moments)  # the next loop
    for valgus in range(1, 30):  # is only sent
        board.valgus.value = valgus
    assert board.pictures.kept_bytes() <= FRAME_CACHE_BYTES
    assert len(board.pictures.frames) < len(moments) + 29  # the oldest are forgotten
    assert not board.pictures.drawn(scenario, 0)
    english = pictures(board)
    board.language.value = "es"
    assert len(board.pictures.frames) == 1  # only the state shown, drawn again in Spanish
    assert pictures(board)["posterior"] != english["posterior"]


def test_a_failure_while_drawing_ahead_is_logged_and_leaves_the_dashboard_working(
        monkeypatch, caplog):
    board = Dashboard()
    board.valgus.value = 5
    board.pictures.plan(board.likely_next_states())
    monkeypatch.setattr(board.scene, "draw", lambda *args: 1 / 0)
    loop = types.SimpleNamespace(call_later=lambda *args: None)
    while board.pictures.ahead:
        board.pictures.step(loop)
    assert "Drawing ahead failed" in caplog.text
    monkeypatch.undo()
    board.valgus.value = 6
    assert board.images["posterior"].value


def test_the_kernel_websocket_sends_each_message_at_once(monkeypatch):
    """Nagle's algorithm held every third picture of a Play frame for the browser's delayed
    ACK (40 ms); the guarded connection turns it off when the websocket opens."""
    from deepgluteal import serving

    guarded = serving.GuardedKernelConnection
    monkeypatch.setattr(guarded.__mro__[1], "connect", lambda self: "connected")
    calls = []
    connection = guarded.__new__(guarded)
    connection._trait_values["websocket_handler"] = types.SimpleNamespace(
        set_nodelay=calls.append)
    assert connection.connect() == "connected"
    assert calls == [True]


def test_a_jpeg_picture_decodes_to_the_frame_it_was_made_from_whatever_its_alpha():
    board = Dashboard()
    board.valgus.value = 12
    frame = board.scene.rasterizers["frontal"].render_rgba().copy()
    decoded = np.asarray(Image.open(io.BytesIO(jpeg_bytes(frame))).convert("RGB"), dtype=int)
    assert decoded.shape == (*frame.shape[:2], 3)
    assert np.abs(decoded - frame[..., :3]).mean() < 1.5  # quality 90, full colour
    frame[..., 3] = 0  # the alpha byte is padding
    assert jpeg_bytes(frame) == jpeg_bytes(np.concatenate(
        [frame[..., :3], np.full(frame.shape[:2] + (1,), 255, np.uint8)], axis=2))
    assert jpeg_bytes(frame[:, ::-1]) != jpeg_bytes(frame)  # a mirrored view is copied first
