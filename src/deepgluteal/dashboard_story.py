"""The guided story on the dashboard: its buttons, its caption, and the animation between steps.

The story's steps and words come from :mod:`deepgluteal.story`; this module only moves the
dashboard's real controls through the intermediate states, so that the model computes every
picture on the way, and shows the step's caption.

Selectors: ``dgs-control-story`` (start), ``dgs-control-story-next``, ``dgs-control-story-back``,
``dgs-control-story-leave`` and the caption ``dgs-panel-story``. While a story plays, the
dashboard's root carries ``dgs-story-active`` (the page then shows the story's buttons in place
of the examples and its caption in place of the narrative).
"""

from __future__ import annotations

import asyncio
import html
import logging

import ipywidgets as widgets

from deepgluteal import story as stories
from deepgluteal import text

# Pictures per second the animation asks for; a slower machine shows each frame for longer.
FRAMES_PER_SECOND = 12
ACTIVE_CLASS = "dgs-story-active"
HIGHLIGHT_CLASS = "dgs-story-highlight"

log = logging.getLogger(__name__)


def _button(name: str) -> widgets.Button:
    button = widgets.Button(layout=widgets.Layout(width="auto"))
    button.add_class(f"dgs-control-{name}")
    return button


class StoryPlayer:
    """Plays a story (``data/stories/<name>.toml``) on a dashboard.

    Parameters
    ----------
    dashboard : deepgluteal.dashboard.Dashboard
        Whose controls the story moves (through ``_control_values``, ``_set_values``,
        ``animating``, ``live`` and ``red_flags``).
    name : str
        The story's file name without ``.toml``.
    """

    def __init__(self, dashboard, name: str = stories.DEFAULT_STORY):
        self.dashboard = dashboard
        self.story = stories.load_story(name)
        self.start = _button("story")
        self.start.add_class("dgs-story-start")
        self.next = _button("story-next")
        self.back = _button("story-back")
        self.leave = _button("story-leave")
        self.counter = widgets.HTML()
        self.counter.add_class("dgs-story-counter")
        self.nav = widgets.HBox([self.back, self.next, self.counter, self.leave])
        self.nav.add_class("dgs-story")
        self.caption = widgets.HTML()
        for name_ in ("dgs-panel-story", "dgs-story-caption"):
            self.caption.add_class(name_)
        self.start.on_click(lambda _b: self.begin())
        self.next.on_click(lambda _b: self.go(+1))
        self.back.on_click(lambda _b: self.go(-1))
        self.leave.on_click(lambda _b: self.end())
        self.active = False
        self.step: int | None = None  # index into the plan
        self._plan: list[stories.PlannedStep] = []
        self._start_values: dict | None = None
        self._frames: list[dict] = []
        self._interval_s = 0.0
        self._timer: asyncio.TimerHandle | None = None

    # ----------------------------------------------------------------- words
    def _t(self, key: str, **values) -> str:
        return text.message(key, self.dashboard.lang, **values)

    def apply_language(self) -> None:
        """Labels in the dashboard's language; a playing story's captions too."""
        self.start.description = self._t("story.start")
        self.start.tooltip = self._t("story.start_help")
        self.next.description = self._t("story.next")
        self.back.description = self._t("story.back")
        self.leave.description = self._t("story.leave")
        self.leave.tooltip = self._t("story.leave_help")
        if self.active and self._start_values is not None:
            self._plan = stories.plan(self.story, self._start_values, self.dashboard.lang)
            self._write_caption()

    def _write_caption(self) -> None:
        step = self._plan[self.step]
        self.counter.value = html.escape(self._t("story.step_of", number=step.number,
                                                 total=len(self._plan)))
        sentences = list(step.caption)
        parts = [f"<p>{s}</p>" for s in text.glossary_html(sentences, self.dashboard.lang)]
        if self.dashboard.mode.value == "student":
            parts += [f"<p class='dgs-story-student'>{html.escape(s)}</p>"
                      for s in step.student]
        title = html.escape(self._t(self.story.title_key))
        self.caption.value = (f"<section aria-label='{title}'><b>{title}: "
                              f"{html.escape(self.counter.value)}</b>{''.join(parts)}</section>")
        self.back.disabled = self.step == 0
        self.next.disabled = self.step == len(self._plan) - 1
        red_flags = self.dashboard.red_flags
        if step.highlight == "red_flags":
            red_flags.add_class(HIGHLIGHT_CLASS)
        else:
            red_flags.remove_class(HIGHLIGHT_CLASS)

    def announcement(self) -> str:
        """What a screen reader hears when a step has arrived: its number and its caption."""
        step = self._plan[self.step]
        return " ".join([self._t("story.step_of", number=step.number, total=len(self._plan)),
                         *step.caption])

    def on_mode(self) -> None:
        if self.active:
            self._write_caption()

    # ----------------------------------------------------------------- moving
    def begin(self) -> None:
        """Start from step 1, from whatever the controls show now."""
        self.dashboard.play.playing = False
        self._start_values = self.dashboard._control_values()
        self._plan = stories.plan(self.story, self._start_values, self.dashboard.lang)
        self.active = True
        self.dashboard.widget.add_class(ACTIVE_CLASS)
        self._go_to(0, forward=True)

    def go(self, direction: int) -> None:
        """Next (+1) or Back (-1); nothing past either end."""
        if not self.active:
            return
        target = self.step + direction
        if 0 <= target < len(self._plan):
            self._go_to(target, forward=direction > 0)

    def end(self) -> None:
        """Leave the story where it is: the controls keep the state shown."""
        self._cancel()
        self.active = False
        self.dashboard.widget.remove_class(ACTIVE_CLASS)
        self.dashboard.red_flags.remove_class(HIGHLIGHT_CLASS)
        self.dashboard.animating = False
        self.dashboard.refresh()  # the words catch up with the picture

    def _go_to(self, index: int, forward: bool) -> None:
        self._cancel()
        self.step = index
        step = self._plan[index]
        self._write_caption()
        # Forward: through each scene of the step. Back: straight to the earlier step's end.
        targets = step.targets if forward else (step.end,)
        current = self.dashboard._control_values()
        per_scene = max(1, round(step.duration_s * FRAMES_PER_SECOND / len(targets)))
        frames = []
        for target in targets:
            frames += stories.frames(current, target, per_scene)
            current = target
        self._frames = frames
        self._interval_s = step.duration_s / max(1, len(frames))
        self._advance()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._frames = []

    def _advance(self) -> None:
        """Show the next frame; the last one writes the words and announces the step."""
        self._timer = None
        if not self._frames:
            return
        frame = self._frames.pop(0)
        last = not self._frames
        self.dashboard.animating = not last
        try:
            self.dashboard._set_values(frame)
        except Exception:  # a story must never break the dashboard
            log.exception("Story frame failed")
            self._frames = []
            last = True
        if last:
            self.dashboard.animating = False
            self.dashboard.live.value = html.escape(self.announcement())
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a kernel: nothing to animate between, go to the end
            self._advance()
            return
        self._timer = loop.call_later(self._interval_s, self._advance)
