"""Pictures kept and pictures drawn ahead: each state's views are drawn once, and the likely next
states are drawn while the kernel idles, so that reaching one only sends its pictures.

:class:`Pictures` knows nothing of the model or the widgets: it is given a function that
prepares a state's drawing data (the model run, the slow part) and one that draws one view of
prepared data; :func:`likely_next_states` is given the controls' values and ranges.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

# Pictures of recent and likely next states, so that a state drawn before is only sent: the next
# step of a slider, Play's next frame, a preset or a value revisited. Bounded in bytes, because a
# state's three pictures take about 85 kB at a device pixel ratio of 1 and twice that at 2: the
# budget holds about 70 states at ratio 1 (every loop of Play after the first is only sent; it
# has 51 moments) and about 35 at ratio 2, where the kernel's figures are four times larger and
# one viewer's kernel must stay within 150 MB.
FRAME_CACHE_BYTES = 6 * 2**20
# Drawing ahead waits this long after a change, so that the server and the browser, which share
# the machine's cores with the kernel, show the change first.
DRAW_AHEAD_DELAY_S = 0.02
# One state: the next step of the slider that moved last, in the direction it moved. Someone
# stepping a slider or watching Play reaches it next; drawing more would mostly be thrown away,
# and on a server shared by a class every kernel's waste slows the others.
DRAW_AHEAD_DEFAULT = 1
DRAW_AHEAD_MAX = 8

log = logging.getLogger(__name__)


def draw_ahead_depth(environ=os.environ) -> int:
    """How many likely next states a change has drawn while the kernel idles.

    ``DGS_DRAW_AHEAD`` in the environment sets it, from 0 (never draw ahead) to
    :data:`DRAW_AHEAD_MAX`; anything else means :data:`DRAW_AHEAD_DEFAULT`.
    """
    raw = environ.get("DGS_DRAW_AHEAD", "").strip()
    if raw.isdecimal() and int(raw) <= DRAW_AHEAD_MAX:
        return int(raw)
    return DRAW_AHEAD_DEFAULT


def frame_key(scenario, stance_pct: int) -> tuple:
    """What a state's pictures depend on, besides the scene (language, screen)."""
    return scenario, (int(stance_pct) if scenario.task == "walking" else 0)


def likely_next_states(values: Mapping, ranges: Mapping[str, tuple[int, int]],
                       steps: Mapping[str, int], *, cursor: str, playing: bool,
                       last_move: tuple[str, int] | None, depth: int,
                       scenario_of: Callable[[dict], object],
                       drawn: Callable[[object, int], bool]) -> list[tuple[object, int]]:
    """Up to ``depth`` states one key press or one Play frame away whose pictures are not
    drawn yet, the likeliest first, as ``(scenario, stance %)``: the next step in the
    direction the last slider moved, then the other neighbours.

    Parameters
    ----------
    values : mapping
        The controls' values (``valgus``, ``stance``, ``task``...).
    ranges, steps : mapping
        Slider name -> (min, max), and -> one key press's step, for the sliders that can move
        now (the moment of the step only when the task has one). Before any slider moved, the
        first slider in ``steps`` is the likeliest.
    cursor : str
        The slider Play moves (the moment of the step).
    playing : bool
        Play is running: its next two frames (it starts over after the last).
    last_move : (slider name, +1 or -1), optional
    scenario_of : callable
        Control values -> scenario.
    drawn : callable
        (scenario, stance %) -> whether every picture of that state is kept.
    """
    if playing:
        moves = [(cursor, 1), (cursor, 2)]
    else:
        moves = [last_move] if last_move else []
        moves += [(name, sign) for name in steps for sign in (1, -1)]
    states: list[tuple[object, int]] = []
    for name, count in dict.fromkeys(moves):  # in order, each once
        if len(states) >= depth:
            break
        if name not in steps:
            continue
        low, high = ranges[name]
        value = values[name] + count * steps[name]
        if playing and value > high:  # Play starts over
            value -= high - low + steps[name]
        if not low <= value <= high:
            continue
        moved = dict(values) | {name: value}
        state = (scenario_of(moved), moved[cursor])
        if not drawn(*state) and state not in states:
            states.append(state)
    return states


class Pictures:
    """The pictures of recent states, and the drawing ahead of likely next ones.

    Parameters
    ----------
    names : sequence of str
        The views of a state.
    prepare : callable
        (scenario, stance %) -> the state's drawing data.
    draw : callable
        (view name, drawing data) -> the picture (bytes).
    depth : int, optional
        States drawn ahead after a change (default: :func:`draw_ahead_depth`).
    budget_bytes : int, optional
        The most the kept pictures take (the oldest are forgotten first; the state being shown
        or drawn is always kept).
    """

    def __init__(self, names: Iterable[str], prepare: Callable, draw: Callable,
                 depth: int | None = None, budget_bytes: int = FRAME_CACHE_BYTES):
        self.names = tuple(names)
        self.prepare = prepare
        self.draw = draw
        self.depth = draw_ahead_depth() if depth is None else depth
        self.budget_bytes = budget_bytes
        self.frames: OrderedDict[tuple, dict[str, bytes]] = OrderedDict()
        self.ahead: list[tuple[object, int]] = []
        self._prepared: tuple[tuple, object] | None = None
        self._call: asyncio.TimerHandle | None = None

    def clear(self) -> None:
        """Forget every picture (the scene changed: language, screen)."""
        self.frames.clear()
        self._prepared = None

    def frame(self, scenario, stance_pct: int) -> dict[str, bytes]:
        """The pictures of one state drawn so far (a dict to fill), now the most recent."""
        key = frame_key(scenario, stance_pct)
        frame = self.frames.setdefault(key, {})
        self.frames.move_to_end(key)
        return frame

    def kept_bytes(self) -> int:
        """What the kept pictures take."""
        return sum(len(picture) for frame in self.frames.values() for picture in frame.values())

    def _keep(self, frame: dict[str, bytes], name: str, picture: bytes) -> None:
        """Keep a new picture, forgetting the oldest states beyond the budget."""
        frame[name] = picture
        while len(self.frames) > 1 and self.kept_bytes() > self.budget_bytes:
            self.frames.popitem(last=False)

    def drawn(self, scenario, stance_pct: int) -> bool:
        """Whether every picture of the state is kept."""
        return len(self.frames.get(frame_key(scenario, stance_pct), {})) == len(self.names)

    def show(self, scenario, stance_pct: int, prepared: Callable[[], object],
             send: Callable[[str, bytes], None]) -> None:
        """Send each picture of a state, drawing those not drawn before from ``prepared()``
        (called at most once). Each goes out as soon as it is ready: the server and the
        browser take it on while the next one is drawn."""
        frame = self.frame(scenario, stance_pct)
        data = None
        for name in self.names:
            if name not in frame:
                if data is None:
                    data = prepared()
                self._keep(frame, name, self.draw(name, data))
            send(name, frame[name])

    # ----------------------------------------------------------------- drawing ahead
    def plan(self, states: list[tuple[object, int]]) -> None:
        """Have ``states`` drawn while the kernel idles, replacing any earlier plan.

        Only inside a kernel, whose event loop runs the work between messages in pieces of a
        few milliseconds: a message that arrives meanwhile waits at most that long.
        """
        if self._call is not None:
            self._call.cancel()
            self._call = None
        self.ahead = list(states)
        if not self.ahead:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a kernel: nothing idles between messages
            return
        self._call = loop.call_later(DRAW_AHEAD_DELAY_S, self.step, loop)

    def draw_ahead(self) -> bool:
        """Do one piece of the drawing ahead (a state's preparation or one picture); False
        when done."""
        while self.ahead:
            scenario, stance_pct = self.ahead[0]
            key = frame_key(scenario, stance_pct)
            missing = [name for name in self.names
                       if name not in self.frames.get(key, {})]
            if not missing:
                self.ahead.pop(0)
                continue
            if self._prepared is None or self._prepared[0] != key:
                self._prepared = (key, self.prepare(scenario, stance_pct))
                return True
            frame = self.frame(scenario, stance_pct)
            self._keep(frame, missing[0], self.draw(missing[0], self._prepared[1]))
            return True
        self._prepared = None
        return False

    def step(self, loop) -> None:
        """One piece of the drawing ahead, then the next one queued behind waiting messages."""
        self._call = None
        try:
            more = self.draw_ahead()
        except Exception:  # drawing ahead only saves time: on failure, draw on demand
            log.exception("Drawing ahead failed")
            self.ahead.clear()
            self._prepared = None
            return
        if more:  # call_later, not call_soon: a waiting message runs between the pieces
            self._call = loop.call_later(0, self.step, loop)
