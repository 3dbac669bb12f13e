"""Every word the user sees: the message catalogue, the narrative, red flags, glossary, references.

The catalogue is one TOML file per language in ``locales/`` (``en.toml`` is the reference). A
translator adds ``xx.toml`` with the same keys and placeholders and nothing else: the language
appears in :data:`LANGUAGES` by itself. Keys are addressed as ``"table.key"`` (e.g.
``"control.valgus_deg"``); values are ``str.format`` templates, or lists of paragraphs/items.

The narrative explains a state in plain words; it never diagnoses. Patient sentences are written
to read at school grade 8 or below (checked by ``tests/test_text.py``); student sentences add the
numbers, the equations behind them and the keys of ``data/references.csv``.
"""

from __future__ import annotations

import math
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from deepgluteal.datafiles import data_dir, read_csv_columns
from deepgluteal.scenario import CHOICE_FIELDS, NUMERIC_FIELDS

_LOCALE_DIR = Path(__file__).resolve().parent / "locales"


def _available_languages() -> tuple[str, ...]:
    codes = sorted(path.stem for path in _LOCALE_DIR.glob("*.toml"))
    # English is the reference catalogue the others are checked against, so it comes first.
    return tuple(sorted(codes, key=lambda code: (code != "en", code)))


LANGUAGES = _available_languages()
"""Language codes with a catalogue, English first (``("en", "es")``)."""

PAGES = {
    "about": ("purpose", "not_for", "assumptions", "limits", "seek_care"),
    "knowledge": ("what", "name", "misconception", "structures", "valgus", "weakness",
                  "reassurance", "treatment"),
    "helps": ("explain", "load", "strength", "knee", "nerve", "injection"),
}
"""Long-form pages and the order of their sections (headings ``<page>.<section>_heading``)."""

SOURCE_POINTS = {
    "red_flags": ("red_flags.deficit_sign", "red_flags.bilateral_sign",
                  "red_flags.constant_pain_sign"),
    "what_dgs_is": ("knowledge.what",),
    "piriformis_syndrome_too_narrow": ("knowledge.name",),
    "back_may_be_innocent": ("knowledge.misconception",),
    "structures": ("knowledge.structures",),
    "valgus_mechanism": ("knowledge.valgus",),
    "weakness_mechanism": ("knowledge.weakness",),
    "reassurance": ("knowledge.reassurance",),
    "physiotherapy": ("knowledge.treatment",),
}
"""Each point of the source text (seed/deep-gluteal-syndrome.txt) and the keys that carry it."""

PHASES = ("early", "mid", "late")
"""Parts of stance the narrative names: 0-33 %, 33-67 % and 67-100 % of stance."""

DEEP_MUSCLES = ("piriformis", "gemelli", "quadratus_femoris")
"""Deep rotators the narrative names (gait2392's peri_r, gem_r, quad_fem_r)."""

_SOURCE_RED_FLAGS = ("deficit", "bilateral", "constant_pain")
_EXTRA_RED_FLAGS = ("fever", "cancer", "trauma", "pulsing_lump", "cyclic")

REFERENCE_COLUMNS = ("key", "authors", "year", "title", "journal", "volume_pages", "doi", "url",
                     "note")
"""Columns of ``data/references.csv``, the single source of the bibliography."""


# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------

def _check_language(lang: str) -> None:
    if not isinstance(lang, str) or lang not in LANGUAGES:
        valid = ", ".join(repr(code) for code in LANGUAGES)
        raise ValueError(f"lang must be one of {valid} (got {lang!r})")


def _flatten(table: Mapping, source: Path) -> dict[str, str | tuple[str, ...]]:
    flat: dict[str, str | tuple[str, ...]] = {}
    for name, value in table.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for key, item in items:
            full_key = name if key is None else f"{name}.{key}"
            if isinstance(item, str):
                flat[full_key] = item
            elif isinstance(item, list) and all(isinstance(part, str) for part in item):
                flat[full_key] = tuple(item)
            else:
                raise ValueError(f"{source.name}: {full_key} must be a string or a list of "
                                 f"strings (one level of tables at most)")
    return flat


@cache
def catalogue(lang: str = "en") -> Mapping[str, str | tuple[str, ...]]:
    """All messages of one language, keyed ``"table.key"`` (read-only, cached).

    Parameters
    ----------
    lang : str
        Language code, one of :data:`LANGUAGES`.

    Returns
    -------
    Mapping[str, str | tuple[str, ...]]
        Templates (``str.format`` placeholders) or tuples of paragraphs/items.
    """
    _check_language(lang)
    source = _LOCALE_DIR / f"{lang}.toml"
    with open(source, "rb") as handle:
        return MappingProxyType(_flatten(tomllib.load(handle), source))


def _lookup(key: str, lang: str) -> str | tuple[str, ...]:
    messages = catalogue(lang)
    if key not in messages:
        raise ValueError(f"unknown message key {key!r} in the {lang!r} catalogue")
    return messages[key]


def _fill(template: str, key: str, values: Mapping[str, object]) -> str:
    try:
        return template.format(**values)
    except KeyError as missing:
        raise ValueError(f"message {key!r} needs a value for placeholder {missing}") from None


def placeholders(template: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` in a template (format specs ignored)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def message(key: str, lang: str = "en", **values: object) -> str:
    """One message, with its placeholders filled from ``values``.

    Parameters
    ----------
    key : str
        ``"table.key"``, e.g. ``"control.valgus_deg"``.
    lang : str
        Language code, one of :data:`LANGUAGES`.
    **values
        One value per placeholder of the template.

    Raises
    ------
    ValueError
        Unknown language or key, a list-valued key (use :func:`paragraphs`), or a missing value.
    """
    template = _lookup(key, lang)
    if not isinstance(template, str):
        raise ValueError(f"message {key!r} is a list of paragraphs; use paragraphs()")
    return _fill(template, key, values)


def paragraphs(key: str, lang: str = "en") -> list[str]:
    """The paragraphs or items of a list-valued message (a plain message gives one item)."""
    value = _lookup(key, lang)
    return [value] if isinstance(value, str) else list(value)


def sections(page: str, lang: str = "en") -> list[tuple[str, list[str]]]:
    """The sections of a long-form page as ``(heading, paragraphs)``, in reading order.

    Parameters
    ----------
    page : str
        ``"about"`` (the "About this model" page) or ``"knowledge"`` (the source text's
        knowledge about deep gluteal syndrome). Its title is ``message(f"{page}.title")``.
    lang : str
        Language code, one of :data:`LANGUAGES`.
    """
    if page not in PAGES:
        raise ValueError(f"page must be one of {', '.join(map(repr, PAGES))} (got {page!r})")
    return [(message(f"{page}.{name}_heading", lang), paragraphs(f"{page}.{name}", lang))
            for name in PAGES[page]]


def format_number(value: float, digits: int = 1, lang: str = "en", signed: bool = False) -> str:
    """A number with ``digits`` decimals and the language's decimal separator."""
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace(".", message("meta.decimal_separator", lang))


def all_red_flags(lang: str = "en") -> list[tuple[str, str]]:
    """Every warning sign: the source text's three first, then the standard ones."""
    return red_flags(lang) + red_flags(lang, extra=True)


def red_flags_html(lang: str = "en", heading_level: int = 2) -> str:
    """Every red flag as an HTML block: the source text's three, then the standard ones.

    Used by the teaching notebooks (and anywhere HTML is shown); the dashboard has its own
    compact panel with the same items.
    """
    import html

    def items(flags):
        return "".join(f"<li><b>{html.escape(sign)}</b> {html.escape(action)}</li>"
                       for sign, action in flags)

    h = f"h{heading_level}"
    return (f'<section class="dgs-redflags-all"><{h}>⚠ '
            f'{html.escape(message("red_flags.heading", lang))}</{h}>'
            f'<p>{html.escape(message("red_flags.intro", lang))}</p>'
            f"<ul>{items(red_flags(lang))}</ul>"
            f'<p><b>{html.escape(message("red_flags.extra_heading", lang))}</b> '
            f'{html.escape(message("red_flags.extra_intro", lang))}</p>'
            f"<ul>{items(red_flags(lang, extra=True))}</ul></section>")


def red_flags(lang: str = "en", extra: bool = False) -> list[tuple[str, str]]:
    """Warning signs and what each calls for, as ``(sign, action)``.

    Parameters
    ----------
    lang : str
        Language code, one of :data:`LANGUAGES`.
    extra : bool
        False (default): the three red flags of the source text (progressive neurological
        deficit -> urgent assessment; bilateral or cauda equina signs -> emergency spinal
        assessment; severe constant pain unchanged by position -> investigation for other
        causes). True: the further signs of standard clinical practice (facts sheet section 7,
        unverified there), to be shown apart under ``red_flags.extra_heading``.
    """
    names = _EXTRA_RED_FLAGS if extra else _SOURCE_RED_FLAGS
    return [(message(f"red_flags.{name}_sign", lang), message(f"red_flags.{name}_action", lang))
            for name in names]


def glossary(lang: str = "en") -> dict[str, str]:
    """Medical term -> short plain explanation, in catalogue order."""
    prefix = "glossary."
    entries = {}
    for key, value in catalogue(lang).items():
        if key.startswith(prefix):
            if isinstance(value, str) or len(value) != 2:
                raise ValueError(f"{lang}.toml: {key} must be [term, explanation]")
            entries[value[0]] = value[1]
    return entries


def terms_used(sentences: list[str], lang: str = "en") -> dict[str, str]:
    """The glossary entries whose term appears (whole words, any case) in the sentences."""
    joined = " ".join(sentences)
    return {term: explanation for term, explanation in glossary(lang).items()
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", joined, re.IGNORECASE)}


def glossary_html(sentences: list[str], lang: str = "en") -> list[str]:
    """Sentences as HTML, each medical term explained by a tooltip at its first use.

    The first occurrence (case-insensitive, whole words) of each glossary term across the
    sentences becomes ``<abbr title="explanation">term</abbr>``; everything is HTML-escaped.
    """
    import html

    remaining = dict(glossary(lang))
    marked = []
    for sentence in sentences:
        pieces = [html.escape(sentence)]
        for term in sorted(list(remaining), key=len, reverse=True):
            pattern = re.compile(rf"(?<!\w)({re.escape(html.escape(term))})(?!\w)", re.IGNORECASE)
            for i, piece in enumerate(pieces):
                if piece.startswith("<abbr"):
                    continue
                match = pattern.search(piece)
                if match:
                    title = html.escape(remaining.pop(term), quote=True)
                    pieces[i:i + 1] = [piece[:match.start()],
                                       f'<abbr title="{title}">{match.group(1)}</abbr>',
                                       piece[match.end():]]
                    break
        marked.append("".join(pieces))
    return marked


# --------------------------------------------------------------------------------------------
# Narrative
# --------------------------------------------------------------------------------------------

# Thresholds that choose words only; they change no number. Below them a difference is
# described as "about the same", because the model's inputs are not that precise.
_VALGUS_NOTICE_DEG = 5.0          # frontal-plane projection angles vary by several degrees
_WEAK_NOTICE = 0.8                # 20 % below normal; Souza & Powers 2009 report 14-17 % deficits
_LOAD_SAME_BAND = 0.1             # +-10 % deep-rotator load reads as "about as hard"
_SPACE_SAME_MM = 0.5              # under half a millimetre reads as "about the same room"
_SPACE_SLIGHT_MM = 1.5            # under 1.5 mm reads as "a little"
_TIGHT_INDEX = 0.7                # compression index from which "little room" may be said...
_TIGHT_ABOVE_HEALTHY = 0.02       # ...and only this far above the healthy index at that moment
_LOAD_HARDLY = 0.15               # below this ratio the deep rotators "hardly work"
_UNMET_NOTICE_NM = 0.5            # below this, an unmet moment is numerical noise
_HEALTHY_VALGUS_DEG = 0.5
_HEALTHY_STRENGTH = 0.995


def _round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def _check_number(name: str, value, unit: str, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        span = f"{low:g} to {high:g}" if math.isfinite(high) else f"at least {low:g}"
        raise ValueError(f"{name} must be a finite number in {unit}, {span} (got {value!r})")


@cache
def _choices(table: str) -> tuple[str, ...]:
    # The valid choices are the ones the catalogue has words for (its table's names).
    return tuple(key.split(".", 1)[1] for key in catalogue("en")
                 if key.startswith(f"{table}.") and not key.endswith("_help"))


def _check_choice(name: str, value, valid: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, valid))} (got {value!r})")


@dataclass(frozen=True)
class NarrativeState:
    """What the narrative needs to know; the dashboard fills it from the model's result.

    Attributes
    ----------
    task : str
        One of the tasks with words in the catalogue: walking, single_leg_stance, standing,
        sitting, fair.
    valgus_deg : float
        Dynamic knee valgus (frontal-plane projection angle), 0..25 deg.
    glute_med_strength, glute_max_strength : float
        Fraction of normal strength, 0.2..1.
    deep_rotator_load_ratio : float
        Deep-rotator force now / the same person healthy in the same task (1 = same), >= 0.
        Pass 1.0 when both are zero (e.g. relaxed sitting).
    narrowest_clearance_mm : float
        Room left for the nerve at its narrowest point, mm (negative = overlap).
    clearance_change_mm : float
        Change of that clearance, mm (negative = narrower), against healthy walking at the same
        moment for ``walking`` and against a healthy hip at rest (relaxed, upright) for the
        static tasks (``deepgluteal.model.Result.clearance_change_mm``).
    compression_index : float
        0 (free) .. 1 (no room left).
    narrowest_space : str
        Where the nerve is narrowest, as ``deepgluteal.space.SPACES`` names it: subpiriform,
        suprapiriform, transpiriform or ischiofemoral.
    nerve_variant : str
        Beaton-Anson type, A..F.
    unmet_moment_Nm : float
        Size of the hip moment the muscles cannot produce, N m (0 when they can), >= 0.
    abductor_compensation : bool
        Whether weak abductors also change the movement (pelvic drop, hip adduction).
    healthy_compression_index : float or None
        The same person's healthy compression index at the same moment (None: unknown; then
        the narrative never calls the room tight outside sitting and the FAIR position).
    stance_mean_load_ratio, stance_peak_load_ratio : float or None
        Walking only: deep-rotator force averaged over the stance / healthy average, and peak /
        healthy peak.
    stance_change_phase : str or None
        Walking only: the part of stance (one of :data:`PHASES`) where the deep-rotator load
        differs most from healthy.
    muscles_more, muscles_less : tuple of str
        Deep rotators (:data:`DEEP_MUSCLES`) whose load is at least 10 % above / below healthy,
        over the whole stance in walking, in this position in a static task.
    stance_clearance_change_mm : float or None
        Walking only: the change of the nerve's room against healthy walking, averaged over the
        stance (mm, negative = narrower).
    """

    task: str
    valgus_deg: float
    glute_med_strength: float
    glute_max_strength: float
    deep_rotator_load_ratio: float
    narrowest_clearance_mm: float
    clearance_change_mm: float
    compression_index: float
    narrowest_space: str
    nerve_variant: str
    unmet_moment_Nm: float
    abductor_compensation: bool
    healthy_compression_index: float | None = None
    stance_mean_load_ratio: float | None = None
    stance_peak_load_ratio: float | None = None
    stance_change_phase: str | None = None
    muscles_more: tuple[str, ...] = ()
    muscles_less: tuple[str, ...] = ()
    stance_clearance_change_mm: float | None = None

    def __post_init__(self):
        # The scenario's fields are checked against the scenario's own ranges and choices.
        _check_choice("task", self.task, CHOICE_FIELDS["task"])
        for name in ("valgus_deg", "glute_med_strength", "glute_max_strength"):
            spec = NUMERIC_FIELDS[name]
            _check_number(name, getattr(self, name), spec.unit, spec.low, spec.high)
        _check_number("deep_rotator_load_ratio", self.deep_rotator_load_ratio,
                      "multiples of the healthy load", 0.0, math.inf)
        _check_number("narrowest_clearance_mm", self.narrowest_clearance_mm, "mm",
                      -math.inf, math.inf)
        _check_number("clearance_change_mm", self.clearance_change_mm, "mm", -math.inf, math.inf)
        _check_number("compression_index", self.compression_index, "index units", 0.0, 1.0)
        _check_choice("narrowest_space", self.narrowest_space, _choices("space"))
        _check_choice("nerve_variant", self.nerve_variant, CHOICE_FIELDS["nerve_variant"])
        _check_number("unmet_moment_Nm", self.unmet_moment_Nm, "N m", 0.0, math.inf)
        if not isinstance(self.abductor_compensation, bool):
            raise ValueError(f"abductor_compensation must be True or False "
                             f"(got {self.abductor_compensation!r})")
        for name in ("healthy_compression_index", "stance_mean_load_ratio",
                     "stance_peak_load_ratio"):
            value = getattr(self, name)
            if value is not None:
                _check_number(name, value, "index units" if "index" in name
                              else "multiples of the healthy load", 0.0,
                              1.0 if "index" in name else math.inf)
        if self.stance_clearance_change_mm is not None:
            _check_number("stance_clearance_change_mm", self.stance_clearance_change_mm, "mm",
                          -math.inf, math.inf)
        if self.stance_change_phase is not None and self.stance_change_phase not in PHASES:
            raise ValueError(f"stance_change_phase must be one of {', '.join(PHASES)} "
                             f"(got {self.stance_change_phase!r})")
        for name in ("muscles_more", "muscles_less"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not set(value) <= set(DEEP_MUSCLES):
                raise ValueError(f"{name} must be a tuple of {', '.join(DEEP_MUSCLES)} "
                                 f"(got {value!r})")

    @property
    def is_healthy(self) -> bool:
        """No valgus, full strength, healthy load and no unmet moment."""
        return (self.valgus_deg < _HEALTHY_VALGUS_DEG
                and min(self.glute_med_strength, self.glute_max_strength) >= _HEALTHY_STRENGTH
                and abs(self.deep_rotator_load_ratio - 1.0) < _LOAD_SAME_BAND / 2
                and self.unmet_moment_Nm < _UNMET_NOTICE_NM)


def _load_sentence(state: NarrativeState, baseline: str, lang: str) -> str:
    """The deep rotators' load at the cursor; the template says "at this moment"."""
    ratio = state.deep_rotator_load_ratio
    if ratio < _LOAD_HARDLY:
        return message("claim.load_hardly", lang, baseline=baseline)
    if ratio < 1.0 - _LOAD_SAME_BAND:
        percent = max(10, 10 * _round_half_up((1.0 - ratio) * 10))
        return message("narrative.load_less", lang, percent=percent, baseline=baseline)
    if ratio < 1.0 + _LOAD_SAME_BAND:
        return message("narrative.load_same", lang, baseline=baseline)
    if ratio < 1.75:
        percent = 10 * _round_half_up((ratio - 1.0) * 10)
        return message("narrative.load_more", lang, percent=percent, baseline=baseline)
    times = _round_half_up(ratio * 2) / 2
    if times == 2:
        return message("narrative.load_twice", lang, baseline=baseline)
    text = format_number(times, 0 if times.is_integer() else 1, lang)
    return message("narrative.load_times", lang, times=text, baseline=baseline)


def _change_words(ratio: float, lang: str, kind: str) -> str:
    """"about 20 percent more" / "about the same" for a ratio to healthy."""
    if ratio < 1.0 - _LOAD_SAME_BAND:
        percent = min(90, max(10, 10 * _round_half_up((1.0 - ratio) * 10)))
        return message(f"stance.{kind}_less", lang, percent=percent)
    if ratio < 1.0 + _LOAD_SAME_BAND:
        return message(f"stance.{kind}_same", lang)
    if ratio < 1.75:
        return message(f"stance.{kind}_more", lang,
                       percent=10 * _round_half_up((ratio - 1.0) * 10))
    times = _round_half_up(ratio * 2) / 2
    return message(f"stance.{kind}_times", lang,
                   times=format_number(times, 0 if times.is_integer() else 1, lang))


def _stance_sentence(state: NarrativeState, lang: str) -> str | None:
    """Walking: the deep rotators' load over the whole stance (average, peak and phase)."""
    if state.stance_mean_load_ratio is None or state.stance_peak_load_ratio is None:
        return None
    sentence = message("stance.mean", lang,
                       change=_change_words(state.stance_mean_load_ratio, lang, "mean"))
    peak = message("stance.peak", lang,
                   change=_change_words(state.stance_peak_load_ratio, lang, "peak"))
    if state.stance_change_phase is None:
        return f"{sentence} {peak}"
    phase = message(f"stance.phase_{state.stance_change_phase}", lang)
    return f"{sentence} {peak} {message('stance.phase', lang, phase=phase)}"


def _space_sentence(state: NarrativeState, lang: str) -> str:
    change = state.clearance_change_mm
    where = message(f"space.{state.narrowest_space}", lang)
    reference = message(f"narrative.reference_{_space_reference(state.task)}", lang)
    if abs(change) < _SPACE_SAME_MM:
        return message("narrative.space_same", lang, reference=reference)
    direction = "less" if change < 0 else "more"
    if abs(change) < _SPACE_SLIGHT_MM:
        return message(f"narrative.space_{direction}_slight", lang, where=where,
                       reference=reference)
    return message(f"narrative.space_{direction}", lang, mm=_round_half_up(abs(change)),
                   where=where, reference=reference)


def _stance_space_sentence(state: NarrativeState, lang: str) -> str | None:
    """Walking: the nerve's room over the whole stance against healthy walking."""
    change = state.stance_clearance_change_mm
    if change is None:
        return None
    if abs(change) < _SPACE_SAME_MM:
        return message("stance.room_same", lang)
    direction = "less" if change < 0 else "more"
    if abs(change) < _SPACE_SLIGHT_MM:
        return message(f"stance.room_{direction}_slight", lang)
    return message(f"stance.room_{direction}", lang, mm=_round_half_up(abs(change)))


def _space_reference(task: str) -> str:
    """What the room is compared with: healthy walking at the same moment, or a hip at rest."""
    return "walking" if task == "walking" else "rest"


def _factor(state: NarrativeState) -> str | None:
    valgus = state.valgus_deg >= _VALGUS_NOTICE_DEG
    weak_med = state.glute_med_strength <= _WEAK_NOTICE
    weak_max = state.glute_max_strength <= _WEAK_NOTICE
    if valgus and (weak_med or weak_max):
        return "valgus_weak"
    if valgus:
        return "valgus"
    if weak_med and weak_max:
        return "weak_both"
    if weak_med:
        return "weak_med"
    if weak_max:
        return "weak_max"
    return None


def _muscle_list(names: tuple[str, ...], lang: str) -> str:
    words = [message(f"claim.muscle_{name}", lang) for name in names]
    if len(words) == 1:
        return words[0]
    return message("claim.and", lang, first=", ".join(words[:-1]), last=words[-1])


def _attribution(state: NarrativeState, lang: str) -> str:
    """What the model shows, muscle by muscle, over the part of the step it names."""
    part = message("claim.part_stance" if state.stance_mean_load_ratio is not None
                   else "claim.part_position", lang)
    more, less = state.muscles_more, state.muscles_less
    pieces = []
    if more:
        pieces.append(message("claim.more_one" if len(more) == 1 else "claim.more_many", lang,
                              muscles=_muscle_list(more, lang)))
    if less:
        pieces.append(message("claim.less_one" if len(less) == 1 else "claim.less_many", lang,
                              muscles=_muscle_list(less, lang)))
    if not pieces:
        return message("claim.model_same", lang, part=part)
    joined = pieces[0] if len(pieces) == 1 else message("claim.and_clause", lang,
                                                          first=pieces[0], last=pieces[1])
    return message("claim.model", lang, part=part, what=joined)


def _cause_sentence(state: NarrativeState, lang: str) -> str | None:
    # Sitting and the FAIR position narrow the space by posture, whatever the muscles do.
    if state.task in ("sitting", "fair"):
        return message(f"narrative.cause_{state.task}", lang)
    factor = _factor(state)
    if factor is None:
        key = f"narrative.cause_{state.task}"
        return message(key, lang) if key in catalogue(lang) else None
    # The source text's claim, said to be its claim, then what the model shows.
    source = factor if factor in ("valgus", "valgus_weak") else "weak"
    claim = message(f"claim.source_{source}", lang)
    if state.muscles_more or state.muscles_less or state.stance_mean_load_ratio is not None:
        return f"{claim} {_attribution(state, lang)}"
    # Without the muscle-by-muscle numbers, say only what the group's load shows now.
    if state.deep_rotator_load_ratio >= 1.0 + _LOAD_SAME_BAND:
        return f"{claim} {message('claim.model_now_more', lang)}"
    return f"{claim} " + message("narrative.cause_little", lang,
                                 factor=message(f"narrative.factor_{factor}", lang))


def is_tight(state: NarrativeState) -> bool:
    """Whether the narrative may say the nerve has little room (an alarm sentence).

    Outside the positions built to show squeezing (sitting, FAIR), only when the room is
    clearly tighter than the same person's healthy room at the same moment: a compression index
    of at least 0.7 *and* more than 0.02 above the healthy index. Without a healthy index, never.
    """
    if state.compression_index < _TIGHT_INDEX:
        return False
    if state.task in ("sitting", "fair"):
        return True
    if state.is_healthy or state.healthy_compression_index is None:
        return False
    return state.compression_index > state.healthy_compression_index + _TIGHT_ABOVE_HEALTHY


def _variant_sentences(state: NarrativeState, lang: str) -> list[str]:
    if state.nerve_variant == "A":
        return []
    rate = "B" if state.nerve_variant == "B" else "rare"
    return [message("narrative.variant", lang,
                    variant=message(f"variant.{state.nerve_variant}", lang)),
            message(f"variant_rate.{rate}", lang)]


def _patient_sentences(state: NarrativeState, lang: str) -> list[str]:
    baseline = message(f"narrative.baseline_{state.task}", lang)
    variant = _variant_sentences(state, lang)
    cause = _cause_sentence(state, lang)
    limit = 4
    if state.is_healthy:
        # The posture of a healthy task can still change the room (sitting does): say so.
        space = (_space_sentence(state, lang) if abs(state.clearance_change_mm) >= _SPACE_SAME_MM
                 else message("narrative.healthy_detail", lang))
        sentences = [message("narrative.healthy", lang, baseline=baseline), space]
        groups = [[cause] if cause else [], variant,
                  [] if cause or variant else [message("narrative.healthy_reference", lang)]]
        if state.task in ("sitting", "fair") and is_tight(state):
            groups.insert(1, [message("narrative.space_tight", lang)])
    else:
        sentences = [_load_sentence(state, baseline, lang)]
        stance = _stance_sentence(state, lang)
        if stance:
            sentences.append(stance)
            limit = 5
        space = _space_sentence(state, lang)
        over_stance = _stance_space_sentence(state, lang)
        sentences.append(f"{space} {over_stance}" if over_stance else space)
        if cause:
            sentences.append(cause)
        groups = _extra_groups(state, variant, lang)
    # In order of importance; a group is told whole or not at all, and a patient reads four
    # sentences at most (five in walking, where one of them is about the whole stance).
    for group in groups:
        if group and len(sentences) + len(group) <= limit:
            sentences += group
    return sentences


def _extra_groups(state: NarrativeState, variant: list[str], lang: str) -> list[list[str]]:
    groups = []
    if state.unmet_moment_Nm >= _UNMET_NOTICE_NM:
        groups.append([message("narrative.unmet", lang)])
    if state.abductor_compensation and state.glute_med_strength <= _WEAK_NOTICE:
        groups.append([message("narrative.compensation", lang)])
    if is_tight(state):
        groups.append([message("narrative.space_tight", lang)])
    if variant:
        groups.append(variant)
    return groups


def _student_sentences(state: NarrativeState, lang: str) -> list[str]:
    def number(value: float, digits: int, signed: bool = False) -> str:
        return format_number(value, digits, lang, signed)

    lines = [
        message("student.load", lang, ratio=number(state.deep_rotator_load_ratio, 2)),
        message("student.space", lang, clearance=number(state.narrowest_clearance_mm, 1),
                space=message(f"space.{state.narrowest_space}", lang),
                change=number(state.clearance_change_mm, 1, signed=True),
                index=number(state.compression_index, 2)),
        message("student.inputs", lang, valgus=number(state.valgus_deg, 0),
                med=number(100 * state.glute_med_strength, 0),
                max=number(100 * state.glute_max_strength, 0)),
    ]
    if state.abductor_compensation:
        lines.append(message("student.compensation", lang))
    if state.unmet_moment_Nm >= _UNMET_NOTICE_NM:
        lines.append(message("student.unmet", lang, unmet=number(state.unmet_moment_Nm, 1)))
    if state.nerve_variant != "A":
        lines.append(message("student.variant", lang, variant=state.nerve_variant))
    if state.stance_mean_load_ratio is not None and state.stance_peak_load_ratio is not None:
        lines.append(message("stance.student", lang, mean=number(state.stance_mean_load_ratio, 2),
                             peak=number(state.stance_peak_load_ratio, 2),
                             phase=message(f"stance.phase_{state.stance_change_phase}", lang)
                             if state.stance_change_phase else "-"))
    return lines


def narrative(state: NarrativeState, lang: str = "en", mode: str = "patient") -> list[str]:
    """Plain sentences that explain a state of the model; they explain, never diagnose.

    Parameters
    ----------
    state : NarrativeState
        The numbers to explain.
    lang : str
        Language code, one of :data:`LANGUAGES`.
    mode : str
        ``"patient"``: 2-4 sentences in everyday words with round numbers. ``"student"``: the
        same sentences followed by the numbers with units, the equations behind them and the
        keys of ``data/references.csv``.

    Returns
    -------
    list[str]
        One sentence (or short sentence pair) per item.
    """
    _check_language(lang)
    if mode not in ("patient", "student"):
        raise ValueError(f"mode must be 'patient' or 'student' (got {mode!r})")
    sentences = _patient_sentences(state, lang)
    if mode == "student":
        sentences += _student_sentences(state, lang)
    return sentences


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------

def references() -> dict[str, dict[str, str]]:
    """Rows of ``data/references.csv`` by key (columns :data:`REFERENCE_COLUMNS`)."""
    columns = read_csv_columns("references.csv")
    keys = columns["key"]
    return {key: {name: columns[name][row] for name in REFERENCE_COLUMNS}
            for row, key in enumerate(keys)}


_INITIALS = re.compile(r"^[A-Z]{1,4}$")
_VOLUME_PAGES = re.compile(r"^(?P<volume>[^():]+)?(?:\((?P<number>[^)]+)\))?(?::(?P<pages>.+))?$")


def _bib_author(name: str) -> str:
    if name == "et al.":
        return "others"
    *surname, initials = name.split(" ")
    if surname and _INITIALS.match(initials):
        return f"{' '.join(surname)}, {'. '.join(initials)}."
    return "{" + name + "}"          # an organisation: keep it as one name


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%#_])", r"\\\1", text)


def references_bibtex() -> str:
    """``data/references.bib`` as generated from ``data/references.csv``.

    Journal articles become ``@article``; books, software, data and web pages ``@misc``.
    """
    entries = []
    for key, row in references().items():
        fields = []
        if row["authors"]:
            authors = " and ".join(_bib_author(name) for name in row["authors"].split("; "))
            fields.append(("author", authors))
        fields.append(("title", "{" + _bib_escape(row["title"]) + "}"))
        if row["journal"]:
            fields.append(("journal", _bib_escape(row["journal"])))
        parts = _VOLUME_PAGES.match(row["volume_pages"]) if row["volume_pages"] else None
        for name in ("volume", "number", "pages"):
            if parts and parts[name]:
                fields.append((name, parts[name].replace("-", "--")))
        if row["year"]:
            fields.append(("year", row["year"]))
        if row["doi"]:
            fields.append(("doi", row["doi"]))
        if row["url"]:
            fields.append(("url", row["url"]))
        if row["note"]:
            fields.append(("note", _bib_escape(row["note"])))
        kind = "article" if row["journal"] else "misc"
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{kind}{{{key},\n{body}\n}}\n")
    header = ("% Generated from data/references.csv by deepgluteal.text.references_bibtex();\n"
              "% edit the CSV, then run: python -m deepgluteal.text\n\n")
    return header + "\n".join(entries)


def write_references_bib(path: str | Path | None = None) -> Path:
    """Write :func:`references_bibtex` to ``path`` (default ``data/references.bib``)."""
    target = Path(path) if path is not None else data_dir() / "references.bib"
    target.write_text(references_bibtex(), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_references_bib())
