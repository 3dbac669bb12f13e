"""The dashboard: wires ipywidgets controls to the model and the views. No science here.

Every control carries the CSS class ``dgs-control-<name>`` and every figure's container the
class ``dgs-figure-<name>``; tests and benchmarks find the page's parts by these names. The
state's controls, their ranges and a shared link's parameters are the table in
:mod:`deepgluteal.controls`.

The pictures are drawn by a :class:`deepgluteal.scene.Scene` in the kernel (static parts once,
changes blitted), kept and drawn ahead by :class:`deepgluteal.pictures.Pictures`, and sent to
the page as JPEG in ``ipywidgets.Image`` widgets: one message per view and change, measured at
less than half the latency of an ipympl canvas for the same figure (README, Benchmarks).
"""

from __future__ import annotations

import base64
import gc
import html
import logging
import os
import uuid
from datetime import date

import ipywidgets as widgets
from traitlets import TraitError

from deepgluteal import alt_text, controls, helps, link, picture_data, text, visitor, wording
from deepgluteal.controls import CONTROLS, DISPLAYS
from deepgluteal.dashboard_story import StoryPlayer
from deepgluteal.language import ACCEPT_LANGUAGE_KEY, choose_language, default_language
from deepgluteal.pictures import Pictures, likely_next_states
from deepgluteal.presets import HEALTHY, presets
from deepgluteal.scenario import Scenario
from deepgluteal.scene import FIGURE_PIXELS, Scene, handout_pdf
from deepgluteal.views import display

# 25 frames per second: the 51 instants of stance in about two seconds, slow enough to follow
PLAY_INTERVAL_MS = 40
# What drawing ahead needs of the sliders: ranges, one key press's step, and the steps of those
# that can move in a task without a time course.
SLIDER_RANGES = {name: (CONTROLS[name].low, CONTROLS[name].high) for name in controls.SLIDERS}
SLIDER_STEPS = {name: CONTROLS[name].step for name in controls.SLIDERS}
STILL_SLIDER_STEPS = {name: step for name, step in SLIDER_STEPS.items()
                      if not CONTROLS[name].over_time}


log = logging.getLogger(__name__)


# What using a control changes from the page; a page sends nothing else to a control.
PAGE_KEYS = frozenset({"value", "index", "playing", "repeat"})


class _PageInput:
    """A control that takes from a page only what using it changes, and answers anything
    else, or a value it refuses, with its own state, so that every page shows what the kernel
    holds. Only a crafted message sends more (tests/test_security.py)."""

    def set_state(self, sync_data):
        accepted = {key: value for key, value in sync_data.items() if key in PAGE_KEYS}
        try:
            super().set_state(accepted)
        except TraitError:
            accepted = None
        if accepted != sync_data:
            self.send_state()


class IntSlider(_PageInput, widgets.IntSlider):
    pass


class Play(_PageInput, widgets.Play):
    pass


class Dropdown(_PageInput, widgets.Dropdown):
    pass


class Checkbox(_PageInput, widgets.Checkbox):
    pass


class ToggleButtons(_PageInput, widgets.ToggleButtons):
    pass


def _control(widget: widgets.Widget, name: str) -> widgets.Widget:
    widget.add_class(f"dgs-control-{name}")
    return widget


def _state_widget(control: controls.Control) -> widgets.Widget:
    """The widget of one of the state's controls (its words come with the language)."""
    layout = widgets.Layout(width="236px")
    if control.kind == "slider":
        return IntSlider(value=control.default, min=control.low, max=control.high,
                         step=control.step, continuous_update=True,
                         style={"description_width": "initial"}, layout=layout)
    if control.kind == "checkbox":
        return Checkbox(value=control.default, indent=False, layout=layout)
    return Dropdown(options=[(value, value) for value in control.choices], value=control.default,
                    style={"description_width": "initial"}, layout=layout)


def _html(*classes: str) -> widgets.HTML:
    """An HTML panel carrying the given CSS classes (the template styles and finds it by them)."""
    panel = widgets.HTML()
    for name in classes:
        panel.add_class(name)
    return panel


def _image(name: str) -> widgets.Image:
    width, height = FIGURE_PIXELS[name]
    image = widgets.Image(format="jpeg", layout=widgets.Layout(width=f"{width}px",
                                                               height=f"{height}px"))
    image.add_class(f"dgs-figure-{name}")
    return image


class Dashboard:
    """Controls, views and words, synchronised on one state.

    Parameters
    ----------
    lang : str, optional
        One of :data:`deepgluteal.text.LANGUAGES`; by default the server's
        (:func:`deepgluteal.language.default_language`, English unless set).
    """

    def __init__(self, lang: str | None = None):
        self.lang = lang if lang in text.LANGUAGES else default_language()
        self.pixel_ratio = 1  # the page reports its screen's (hidden control "dpr")
        self._suspended = False
        self._last_valid: dict | None = None
        self.notes: list[str] = []
        self._last_move: tuple[str, int] | None = None
        self.pictures = Pictures(FIGURE_PIXELS, self._prepare,
                                 lambda name, shown: self.scene.draw(name, shown))
        self._build_controls()
        self._build_panels()
        self._build_views()
        self.animating = False  # a story moving the controls: only the pictures follow
        self.story = StoryPlayer(self)
        self._apply_language()
        self.widget = self._layout()
        for control in self._state_controls():
            control.observe(self._on_state_change, names="value")
        self.language.observe(self._on_language, names="value")
        self.mode.observe(self._on_state_change, names="value")
        self.mode.observe(lambda _change: self.story.on_mode(), names="value")
        self.task.observe(self._on_task, names="value")
        self.play.observe(self._on_play, names="playing")
        self.dpr.observe(self._on_display, names="value")
        self.projector.observe(self._on_display, names="value")
        self.refresh()

    # ----------------------------------------------------------------- building
    def _build_controls(self) -> None:
        for name in controls.STATE:
            setattr(self, name, _control(_state_widget(CONTROLS[name]), name))
        stance = CONTROLS["stance"]
        self.play = _control(Play(value=stance.default, min=stance.low, max=stance.high,
                                  step=stance.step, interval=PLAY_INTERVAL_MS, repeat=True,
                                  layout=widgets.Layout(width="auto")), "play")
        widgets.jslink((self.play, "value"), (self.stance, "value"))
        mode = CONTROLS["mode"]
        self.mode = _control(ToggleButtons(options=[(m, m) for m in mode.choices],
                                           value=mode.default,
                                           style={"button_width": "auto"}), "mode")
        self.language = _control(Dropdown(options=[(c, c) for c in text.LANGUAGES],
                                                  value=self.lang,
                                                  layout=widgets.Layout(width="190px")),
                                 "language")
        self.preset_buttons = {}
        for name in presets():
            button = _control(widgets.Button(), f"preset-{name}")
            button.on_click(lambda _button, name=name: self.apply_preset(name))
            self.preset_buttons[name] = button
        self.reset = _control(widgets.Button(button_style="warning"), "reset")
        self.reset.on_click(lambda _button: self.apply_preset(HEALTHY))
        self.handout = _control(widgets.Button(icon="", button_style="primary",
                                               layout=widgets.Layout(width="236px")), "handout")
        self.handout.on_click(lambda _button: self.make_handout())
        # Copying needs the page's own click (browsers allow the clipboard only then): the
        # page's script copies the link the kernel keeps in link_slot (dgs.js).
        self.copy_link = _control(widgets.Button(layout=widgets.Layout(
            width="auto")), "copy-link")
        self.link_slot = _html("dgs-link-slot")
        self.page_buttons = {}
        for page in text.PAGES:
            button = _control(widgets.Button(layout=widgets.Layout(width="236px")),
                              f"page-{page}")
            button.on_click(lambda _button, page=page: self.show_page(page))
            self.page_buttons[page] = button
        self.close_page = _control(widgets.Button(layout=widgets.Layout(width="auto")),
                                   "close-page")
        self.close_page.on_click(lambda _button: self.show_page(None))
        # The screen: the page script reports its pixel ratio through a hidden control.
        self.dpr = _control(Dropdown(options=[(str(r), str(r)) for r in display.PIXEL_RATIOS],
                                     value="1", layout=widgets.Layout(display="none")), "dpr")
        self.projector = _control(Checkbox(value=False, indent=False,
                                           layout=widgets.Layout(width="236px")), "projector")
        # On a phone the controls fold away behind this button (the page script opens them).
        self.drawer_toggle = _control(widgets.Button(icon="sliders"), "drawer")
        self.drawer_toggle.add_class("dgs-drawer-toggle")

    def _state_controls(self):
        # The task has its own observer: it also turns the moment of stance on or off.
        return tuple(getattr(self, name) for name in controls.STATE if name != "task")

    def _build_panels(self) -> None:
        self.title = _html("dgs-title")
        self.numbers = _html("dgs-numbers", "dgs-panel-numbers")
        self.narrative = _html("dgs-narrative", "dgs-panel-narrative")
        self.live = _html("dgs-live-source", "dgs-sr-only")
        self.note = _html("dgs-note")
        self.red_flags = _html("dgs-redflags", "dgs-panel-redflags")
        self.handout_slot = _html("dgs-handout-slot")
        self.lost_text = _html("dgs-lost-text-source")
        self.lost_text.layout.display = "none"
        # Names and text alternatives the page script puts on the page's elements.
        self.a11y = _html("dgs-a11y-source")
        self.a11y.layout.display = "none"
        self._a11y_static = ""
        self._a11y_figures = ""
        self.controls_heading = widgets.HTML()
        self.page_text = widgets.HTML()
        # "What can help" carries a one-click comparison from the model (issue #11).
        self.compare = _control(widgets.Button(layout=widgets.Layout(width="auto",
                                                                     display="none")),
                                "helps-compare")
        self.compare.on_click(lambda _button: self.show_comparison())
        self.compare_text = _html("dgs-helps-comparison-slot")
        self.page = widgets.VBox([self.close_page, self.compare, self.compare_text,
                                  self.page_text], layout=widgets.Layout(display="none"))
        self.page.add_class("dgs-page")
        self.page.add_class("dgs-panel-page")
        self._shown_page: str | None = None

    def _build_views(self) -> None:
        self.images = {name: _image(name) for name in FIGURE_PIXELS}
        self._make_figures()

    def _make_figures(self) -> None:
        """(Re)create the scene; its words are in the current language."""
        self.pictures.clear()  # their words were in the previous language
        if getattr(self, "scene", None) is not None:
            # The old figures are freed before the new ones are made (a figure's artists refer
            # to each other, so only a collection frees them): at a pixel ratio of 2 the two
            # scenes together would hold about 5 MB more of a kernel's 150 MB.
            self.scene = None
            gc.collect()
        self.scene = Scene(self.lang, self.pixel_ratio, self.projector.value)

    def _layout(self) -> widgets.Widget:
        presets_row = widgets.HBox([*self.preset_buttons.values(), self.reset, self.story.start])
        presets_row.add_class("dgs-presets")
        header = widgets.HBox([self.title, presets_row, self.story.nav, self.mode, self.language],
                              layout=widgets.Layout(justify_content="space-between"))
        header.add_class("dgs-header")
        # The note on a shared link's bad values comes first, where it is seen at once.
        column = widgets.VBox([self.controls_heading, self.note, self.valgus, self.glute_med,
                               self.glute_max, self.task, widgets.HBox([self.play]),
                               self.stance, self.variant, self.compensation, self.handout,
                               self.handout_slot, *self.page_buttons.values(),
                               self.projector, self.dpr])
        column.add_class("dgs-controls")
        side = widgets.VBox([self.story.caption, self.narrative, self.numbers,
                             self.images["loads"]])
        side.add_class("dgs-side")
        # "Copy link" under the standing leg, where the column has room in every mode.
        link_row = widgets.VBox([self.copy_link, self.link_slot])
        link_row.add_class("dgs-link-row")
        frontal = widgets.VBox([self.images["frontal"], link_row])
        frontal.add_class("dgs-frontal-column")
        main = widgets.HBox([self.drawer_toggle, column, self.images["posterior"], frontal,
                             side])
        main.add_class("dgs-main")
        spacer = widgets.HTML()
        spacer.add_class("dgs-spacer")
        root = widgets.VBox([header, main, spacer, self.page, self.red_flags, self.live,
                             self.lost_text, self.a11y])
        root.add_class("dgs-dashboard")
        return root

    # ----------------------------------------------------------------- words
    def _t(self, key: str, **values) -> str:
        return text.message(key, self.lang, **values)

    def _apply_language(self) -> None:
        """Every label, option and fixed text in the current language."""
        t = self._t
        for name in controls.STATE:
            control = CONTROLS[name]
            getattr(self, name).description = t(control.words)
            if control.help:
                getattr(self, name).tooltip = t(control.help)
            if control.options:
                self._set_options(getattr(self, name),
                                  [(t(control.options + value), value)
                                   for value in control.choices])
        self.language.description = t("control.language")
        self.handout.description = t("handout.button")
        self.handout.tooltip = t("handout.button_help")
        self.copy_link.description = t("link.copy")
        self.copy_link.tooltip = t("link.copy_help")
        self.play.description = t("control.play")
        self.play.tooltip = t("control.play")
        mode = CONTROLS["mode"]
        self._set_options(self.mode, [(t(mode.options + m), m) for m in mode.choices])
        self._set_options(self.language, [(text.message("meta.language_name", code), code)
                                          for code in text.LANGUAGES])
        for name, button in self.preset_buttons.items():
            button.description = t(f"preset.{name}")
            button.tooltip = t(f"preset.{name}")
        self.reset.description = t("preset.reset")
        self.reset.tooltip = t("preset.reset_help")
        self.title.value = (f"<h1>{html.escape(t('app.title'))}</h1>"
                            f"<p>{html.escape(t('handout.disclaimer'))}</p>")
        self.controls_heading.value = f"<b>{html.escape(t('control.heading'))}</b>"
        for page, button in self.page_buttons.items():
            button.description = t(f"{page}.title")
            button.tooltip = t(f"{page}.title")
        self.close_page.description = "✕ " + t("control.close")
        self.compare.description = t("helps.compare_button")
        self.compare.tooltip = t("helps.compare_button")
        self.show_page(self._shown_page)
        self.red_flags.value = _red_flags_html(self.lang)
        self.lost_text.value = (f'<span data-button="{html.escape(t("error.reload"))}">'
                                f'{html.escape(t("error.kernel_lost"))}</span>')
        self.story.apply_language()
        self.projector.description = t("screens.projector")
        self.projector.tooltip = t("screens.projector_help")
        self.drawer_toggle.description = t("screens.controls_toggle")
        names = {".dgs-control-play button:nth-of-type(1)": t("screens.play"),
                 ".dgs-control-play button:nth-of-type(2)": t("screens.stop"),
                 ".dgs-control-play button:nth-of-type(3)": t("screens.loop")}
        for name in controls.SLIDERS:
            names[f".dgs-control-{name} .noUi-handle"] = getattr(self, name).description
        self._a11y_static = "".join(_a11y_item(selector, "aria-label", words)
                                    for selector, words in names.items())
        # The page's language, so that screen readers pronounce the words in it
        self._a11y_static += _a11y_item("html", "lang", self.lang)
        self._a11y_static += (_a11y_item(".dgs-redflags", "data-more", t("screens.flags_more"))
                              + _a11y_item(".dgs-redflags", "data-less",
                                           t("screens.flags_less")))
        self._show_a11y()

    def _set_options(self, dropdown, options) -> None:
        value = dropdown.value
        self._suspended, was = True, self._suspended
        try:
            dropdown.options = options
            dropdown.value = value
        finally:
            self._suspended = was

    def show_page(self, page: str | None) -> None:
        """Open a long-form page ("knowledge" or "about") over the views, or close it."""
        self._shown_page = page
        if page is None:
            self.page.layout.display = "none"
            return
        parts = [f"<h2>{html.escape(self._t(page + '.title'))}</h2>"]
        for name, (heading, paragraphs) in zip(text.PAGES[page], text.sections(page, self.lang),
                                               strict=True):
            parts.append(f"<h3>{html.escape(heading)}</h3>")
            parts.extend(f"<p>{p}</p>" for p in text.glossary_html(paragraphs, self.lang))
            if page == "helps":
                parts.append(helps.references_html(name))
        self.page_text.value = "".join(parts)
        self.compare.layout.display = "flex" if page == "helps" else "none"
        self.compare_text.value = ""
        self.page.layout.display = "flex"

    def show_comparison(self) -> str:
        """The model's picture of the shown state with strength back and the knee in line."""
        scenario = self.scenario()
        self.compare_text.value = helps.comparison_html(
            helps.recovery_comparison(scenario), self.lang,
            static_task=not controls.has_time_course(scenario.task))
        return self.compare_text.value

    # ----------------------------------------------------------------- state
    def scenario(self) -> Scenario:
        """The scenario the controls describe (the whole stance; the cursor is separate)."""
        return controls.scenario_from_values(self._control_values())

    def _control_values(self) -> dict:
        return {name: getattr(self, name).value for name in controls.STATE}

    def _page_values(self) -> dict:
        """The state's and the page's values, by their names in a link."""
        return {**self._control_values(), "mode": self.mode.value, "lang": self.lang,
                "display": DISPLAYS[self.projector.value]}

    def _set_values(self, values: dict) -> None:
        """Set several controls at once, then redraw once."""
        self._suspended = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._suspended = False
        self._sync_task_controls()
        self.refresh()

    def apply_preset(self, name: str) -> None:
        self.play.playing = False
        self._set_values(controls.preset_values(name, self._control_values()))
        if name == HEALTHY:
            self.notes = []
            self._show_notes()

    def apply_query_string(self, query: str | None, accept_language: str | None = None) -> None:
        """Initial state from a shared link, e.g. ``?valgus=12&glute_med=50&lang=es``.

        Without ``lang`` in the link, the browser's ``Accept-Language`` chooses (by default the
        header Voila passed to this kernel). Bad values fall back to the defaults with a visible
        note; nothing raises.
        """
        parsed = controls.parse_link(query, self._page_values())
        values = dict(parsed.values)
        lang = values.pop("lang", None)
        if lang is None and not any(note.parameter == "lang" for note in parsed.notes):
            if accept_language is None:
                accept_language = os.environ.get(ACCEPT_LANGUAGE_KEY, "")
            lang = choose_language(None, accept_language, default=self.lang)
        if lang is not None and lang != self.lang:
            self.language.value = lang  # redraws with the new words
        if "preset" in values:
            self.apply_preset(values.pop("preset"))
        if "mode" in values:
            self.mode.value = values.pop("mode")
        if "display" in values:
            self.projector.value = values.pop("display") == "projector"
        self.notes = [controls.note_words(note, self._t) for note in parsed.notes]
        if values:
            self._set_values(values)
        self._show_notes()

    def follow_link(self) -> None:
        """Open the state of the visitor's link (``?valgus=12&lang=es``) whenever the visitor
        comes, however long this kernel waited for them (:mod:`deepgluteal.visitor`)."""
        visitor.on_request(lambda request: self.apply_query_string(
            request.get("QUERY_STRING"), request.get(ACCEPT_LANGUAGE_KEY, "")))

    def _show_notes(self) -> None:
        self.note.value = "".join(f"<p>{html.escape(note)}</p>" for note in self.notes)

    # ----------------------------------------------------------------- events
    def _on_state_change(self, change) -> None:
        if self._suspended:
            return
        for name in controls.SLIDERS:
            if getattr(self, name) is change["owner"] and change["new"] != change["old"]:
                self._last_move = (name, 1 if change["new"] > change["old"] else -1)
        self.refresh()

    def _on_play(self, change) -> None:
        if change["new"]:
            self._plan_drawing_ahead()  # Play's first frames
        else:  # stopped: the words catch up with the picture
            self.refresh()

    def _on_task(self, _change) -> None:
        if self._suspended:
            return
        self._sync_task_controls()
        self.refresh()

    def _sync_task_controls(self) -> None:
        over_time = controls.has_time_course(self.task.value)
        self.stance.disabled = not over_time
        self.play.disabled = not over_time
        if not over_time:
            self.play.playing = False

    def _on_display(self, _change) -> None:
        """The screen changed: its pixel ratio (reported by the page) or projector mode."""
        self.pixel_ratio = display.pixel_ratio(self.dpr.value)
        if self.projector.value:
            self.widget.add_class("dgs-projector")
        else:
            self.widget.remove_class("dgs-projector")
        self._make_figures()
        self.refresh()

    def _on_language(self, change) -> None:
        self.lang = change["new"]
        self._apply_language()
        self._make_figures()
        self.refresh()

    # ----------------------------------------------------------------- drawing
    def refresh(self) -> None:
        """Compute the state the controls describe and redraw every view and text."""
        try:
            scenario = self.scenario()
        except ValueError as error:
            self._reject(error)
            return
        self._last_valid = self._control_values()
        shown = picture_data.state(scenario, self.stance.value)
        self.pictures.show(scenario, self.stance.value, lambda: self.scene.picture(shown),
                           self._send_picture)
        # While Play animates, only the pictures move: words that changed 25 times a second
        # could not be read, and a screen reader would announce every frame.
        if not self.play.playing and not self.animating:
            self._write(*shown)
            self.link_slot.value = link.copy_slot_html(self.public_url(), self.state_query(),
                                                       self._t("link.copied"))
        self._plan_drawing_ahead()

    def _reject(self, error: Exception) -> None:
        """A value the model refuses (only a crafted message can send one): say so, go back."""
        self.notes = [self._t("error.rejected_value", detail=str(error)[:300])]
        self._show_notes()
        if self._last_valid is not None:
            self._set_values(self._last_valid)

    def _send_picture(self, name: str, jpeg: bytes) -> None:
        self.images[name].value = jpeg

    def _prepare(self, scenario: Scenario, stance_pct: int):
        """A state's drawing data, for drawing ahead (the model run: the slow part)."""
        return self.scene.picture(picture_data.state(scenario, stance_pct))

    # ----------------------------------------------------------------- drawing ahead
    def _plan_drawing_ahead(self) -> None:
        """Have the likely next states drawn while the kernel idles."""
        self.pictures.plan(self.likely_next_states())

    def likely_next_states(self) -> list[tuple[Scenario, int]]:
        """Up to ``pictures.depth`` states one key press or one Play frame away whose pictures
        are not drawn yet, the likeliest first (:func:`deepgluteal.pictures.likely_next_states`).
        """
        # One key press moves a slider one step; before any slider moved, the first in the
        # table (valgus, the story's first question) is the likeliest.
        values = self._control_values()
        steps = SLIDER_STEPS if controls.has_time_course(values["task"]) else STILL_SLIDER_STEPS
        return likely_next_states(values, SLIDER_RANGES, steps, cursor=controls.CURSOR,
                                  playing=self.play.playing, last_move=self._last_move,
                                  depth=self.pictures.depth,
                                  scenario_of=controls.scenario_from_values,
                                  drawn=self.pictures.drawn)

    def narrative_state(self, result, index) -> text.NarrativeState:
        return wording.narrative_state(result, index)

    def _write(self, result, healthy, index) -> None:
        state = self.narrative_state(result, index)
        sentences = text.narrative(state, self.lang, mode=self.mode.value)
        self.narrative.value = "".join(f"<p>{s}</p>"
                                       for s in text.glossary_html(sentences, self.lang))
        self.numbers.value = _numbers_html(state, self.narrative_state(healthy, index),
                                           self.lang)
        patient = text.narrative(state, self.lang, mode="patient")
        self.live.value = html.escape(" ".join(patient))
        self._describe_figures(result, healthy, index, state)

    def _describe_figures(self, result, healthy, index, state) -> None:
        """Text alternatives of the three pictures, for the state they show."""
        lang, scenario, stance = self.lang, result.scenario, self.stance.value
        healthy_state = self.narrative_state(healthy, min(index, len(healthy.stance_pct) - 1))
        effort = picture_data.group_effort_pct(result)
        healthy_effort = picture_data.group_effort_pct(healthy)
        j = min(index, len(healthy.stance_pct) - 1)
        words = {
            "posterior": alt_text.posterior_alt(state, healthy_state, stance, lang),
            "frontal": alt_text.frontal_alt(
                scenario.task, stance, scenario.valgus_deg,
                float(result.hip_adduction_deg[index]), float(result.pelvic_drop_deg[index]),
                picture_data.frontal_note(scenario.task, lang), lang),
            "loads": alt_text.loads_alt(scenario.task, stance,
                                        {g: v[index] for g, v in effort.items()},
                                        {g: v[j] for g, v in healthy_effort.items()}, lang),
        }
        self.alt_texts = words
        self._a11y_figures = "".join(_a11y_item(f".dgs-figure-{name}", "alt", description)
                                     for name, description in words.items())
        self._show_a11y()

    def _show_a11y(self) -> None:
        self.a11y.value = f"<ul>{self._a11y_static}{self._a11y_figures}</ul>"

    # ----------------------------------------------------------------- handout
    def make_handout(self) -> bytes:
        """A one-page PDF of the current state for the patient, offered as a download."""
        shown = picture_data.state(self.scenario(), self.stance.value)
        state = self.narrative_state(shown.result, shown.index)
        public = self.public_url()
        state_link = link.state_link(public, self.state_query()) if public else None
        pdf = handout_pdf(shown,
                          narrative=text.narrative(state, self.lang, mode="patient"),
                          settings=self._settings_lines(), lang=self.lang, today=date.today(),
                          link=state_link,
                          qr_modules=link.qr_modules(state_link) if state_link else None)
        encoded = base64.b64encode(pdf).decode("ascii")
        name = f"dgs-handout-{date.today().isoformat()}.pdf"
        nonce = uuid.uuid4().hex
        self.handout_slot.value = (
            f'<a class="dgs-handout-link" data-nonce="{nonce}" download="{name}" '
            f'href="data:application/pdf;base64,{encoded}">'
            f'{html.escape(self._t("screens.handout_link", name=name))}</a>')
        return pdf

    def state_query(self) -> str:
        """The query string of a link that opens what the page shows now."""
        return link.state_query(self._control_values(), self.lang, self.mode.value)

    @staticmethod
    def public_url() -> str | None:
        """The server's public address (``DGS_PUBLIC_URL``); None if unset or not valid."""
        try:
            return link.public_url()
        except ValueError as error:
            log.warning("%s: the handout carries no link", error)
            return None

    def _settings_lines(self) -> list[str]:
        return controls.settings_lines(self._control_values(), self._t)


def _a11y_item(selector: str, attribute: str, words: str) -> str:
    """One name or description for the page script to put on the elements ``selector`` finds."""
    return (f'<li data-selector="{html.escape(selector)}" data-attribute="{attribute}">'
            f'{html.escape(words)}</li>')


def _red_flags_html(lang: str) -> str:
    items = "".join(f"<li><b>{html.escape(sign)}</b> {html.escape(action)}</li>"
                    for sign, action in text.red_flags(lang))
    heading = html.escape(text.message("red_flags.heading", lang))
    # Every red flag, always in view (issue #11): the source text's three with what they call
    # for, then the standard ones in one line of smaller print (what each calls for is in its
    # tooltip and read out by screen readers). The heading sits beside them to save a line.
    extra = "".join(f'<li title="{html.escape(action, quote=True)}"><b>{html.escape(sign)}</b>'
                    f'<span class="dgs-sr-only"> {html.escape(action)}</span></li>'
                    for sign, action in text.red_flags(lang, extra=True))
    more = html.escape(text.message("red_flags.extra_heading", lang))
    return (f'<section aria-label="{heading}" class="dgs-redflags-grid"><h2>⚠ {heading}</h2>'
            f'<ul>{items}</ul><div class="dgs-redflags-more">{more}:'
            f'<ul class="dgs-redflags-extra">{extra}</ul></div></section>')


def _numbers_html(state: text.NarrativeState, healthy: text.NarrativeState, lang: str) -> str:
    """The panel of numbers, each beside the healthy value at the same moment."""
    def row(label_key, value_key, healthy_value=None, **values):
        label = html.escape(text.message(label_key, lang))
        value = html.escape(text.message(value_key, lang, **values))
        if healthy_value is not None:
            note = text.message("panel.healthy_value", lang, value=healthy_value)
            value += f"<span class='dgs-healthy'>{html.escape(note)}</span>"
        return f"<tr><td>{label}</td><td class='dgs-value'>{value}</td></tr>"

    def number(value, digits):
        return text.format_number(value, digits, lang)

    rows = [
        row("panel.deep_rotator_load", "panel.deep_rotator_load_value",
            ratio=number(state.deep_rotator_load_ratio, 1)),
        row("panel.narrowest_clearance", "panel.narrowest_clearance_value",
            healthy_value=number(healthy.narrowest_clearance_mm, 1),
            clearance=number(state.narrowest_clearance_mm, 1)),
        row("panel.compression_index", "panel.compression_index_value",
            healthy_value=number(healthy.compression_index, 2),
            index=number(state.compression_index, 2)),
    ]
    if state.unmet_moment_Nm > 0.5:
        rows.append(row("panel.unmet_moment", "panel.unmet_moment_value",
                        moment=number(state.unmet_moment_Nm, 1)))
    return f"<table>{''.join(rows)}</table>"


def build_dashboard(lang: str = "en") -> widgets.Widget:
    """The dashboard's top-level widget, ready to display."""
    return Dashboard(lang).widget
