"""The words: catalogue completeness, plain language, narrative directions, red flags, references.

Readability thresholds
----------------------
English: Flesch-Kincaid grade <= 8 (textstat).
Spanish: textstat's Fernández-Huerta ease >= 65 and Szigriszt-Pazos ease >= 60. Fernández-Huerta
(1959, corrected formula of Law 2011, as textstat computes it) keeps Flesch's scale; its own table
reads 60-70 as "normal, 7th or 8th grade" and 70-80 as "6th grade" (legible.es). Grade 8 or below
is therefore a score of 60 or more; 65 (the middle of the 7th-8th grade band) keeps a margin.
On the INFLESZ scale for Szigriszt-Pazos, 55-65 is "normal" (compulsory secondary school, ages
12-16); 60, its middle, matches the same grade.

Each patient-facing string (a paragraph, a list item, a red flag, a narrative sentence, a glossary
explanation) is measured as a whole, as a patient reads it.
"""

from __future__ import annotations

import csv
import itertools
import math
import re

import pytest
import textstat

from deepgluteal import text
from deepgluteal.datafiles import data_dir
from deepgluteal.text import NarrativeState, message, narrative

MAX_GRADE_EN = 8.0
MIN_FERNANDEZ_HUERTA_ES = 65.0
MIN_SZIGRISZT_PAZOS_ES = 60.0

TEXTSTAT_LANG = {"en": "en_US", "es": "es"}


def readability(value: str, lang: str) -> dict[str, float]:
    textstat.set_lang(TEXTSTAT_LANG[lang])
    if lang == "en":
        return {"flesch_kincaid_grade": textstat.flesch_kincaid_grade(value)}
    return {"fernandez_huerta": textstat.fernandez_huerta(value),
            "szigriszt_pazos": textstat.szigriszt_pazos(value)}


def reads_easily(scores: dict[str, float]) -> bool:
    if "flesch_kincaid_grade" in scores:
        return scores["flesch_kincaid_grade"] <= MAX_GRADE_EN
    return (scores["fernandez_huerta"] >= MIN_FERNANDEZ_HUERTA_ES
            and scores["szigriszt_pazos"] >= MIN_SZIGRISZT_PAZOS_ES)


def state(**changes) -> NarrativeState:
    """A clearly unhealthy walking state; tests change what they study."""
    values = dict(task="walking", valgus_deg=10.0, glute_med_strength=1.0,
                  glute_max_strength=1.0, deep_rotator_load_ratio=1.5,
                  narrowest_clearance_mm=6.0, clearance_change_mm=-3.0, compression_index=0.3,
                  narrowest_space="subpiriform", nerve_variant="A", unmet_moment_Nm=0.0,
                  abductor_compensation=False)
    values.update(changes)
    return NarrativeState(**values)


def healthy(**changes) -> NarrativeState:
    return state(valgus_deg=0.0, deep_rotator_load_ratio=1.0, clearance_change_mm=0.0,
                 **changes)


def state_grid():
    tasks = ("walking", "single_leg_stance", "standing", "sitting", "fair")
    for (task, valgus, med, mx, ratio, change, index, space, variant, unmet,
         compensation) in itertools.product(
            tasks, (0.0, 6.0, 20.0), (1.0, 0.5), (1.0, 0.3), (0.6, 1.0, 1.3, 2.0, 3.6),
            (-7.4, -1.0, 0.0, 2.3), (0.1, 0.9), ("subpiriform", "suprapiriform",
                                                   "transpiriform", "ischiofemoral"),
            ("A", "B", "F"), (0.0, 4.0), (False, True)):
        yield NarrativeState(task, valgus, med, mx, ratio, 5.0, change, index, space, variant,
                             unmet, compensation)


def stance_grid():
    """Walking and static states with the whole-stance and muscle-by-muscle fields (issue #11)."""
    room_changes = itertools.cycle((-3.0, -1.0, 0.2, 1.0, 3.0, -0.7))
    muscles = ((), ("piriformis",), ("gemelli", "quadratus_femoris"),
               ("piriformis", "gemelli", "quadratus_femoris"))
    for task, valgus, med, mean, peak, phase, more, less, index, healthy_index in \
            itertools.product(("walking", "single_leg_stance"), (0.0, 12.0), (1.0, 0.4),
                              (0.05, 0.6, 1.0, 1.4, 2.6), (0.95, 1.4, 2.1),
                              ("early", "mid", "late"), muscles, muscles[:2],
                              (0.3, 0.85), (0.2, 0.84)):
        if set(more) & set(less):
            continue
        stance = ({} if task != "walking" else dict(
            stance_mean_load_ratio=mean, stance_peak_load_ratio=peak, stance_change_phase=phase,
            stance_clearance_change_mm=next(room_changes)))
        yield NarrativeState(task, valgus, med, 1.0, mean, 5.0, -2.0, index, "ischiofemoral",
                             "A", 0.0, med < 1.0, healthy_compression_index=healthy_index,
                             muscles_more=more, muscles_less=less, **stance)


GRID = list(state_grid()) + list(stance_grid())[::3]


def patient_strings(lang: str) -> list[str]:
    """Every string a patient may read, placeholders filled."""
    strings = []
    for page in text.PAGES:
        for _heading, paragraphs in text.sections(page, lang):
            strings += paragraphs
    for sign, action in text.red_flags(lang) + text.red_flags(lang, extra=True):
        strings += [sign, action]
    for key in ("app.subtitle", "control.abductor_compensation_help", "red_flags.intro",
                "red_flags.extra_intro", "handout.disclaimer", "handout.keep_in_mind",
                "error.kernel_lost"):
        strings.append(message(key, lang))
    strings.append(message("error.bad_url_value", lang, parameter="valgus_deg",
                           range="0-25", default="0"))
    strings += [message(f"variant.{letter}_help", lang) for letter in "ABCDEF"]
    strings += list(text.glossary(lang).values())
    for each in GRID:
        strings += narrative(each, lang)
    return sorted(set(strings))


# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------

def test_languages_found_from_the_catalogue_files():
    assert text.LANGUAGES == ("en", "es")


def test_a_new_catalogue_file_is_a_new_language(tmp_path, monkeypatch):
    for code in ("es", "fr", "en"):
        (tmp_path / f"{code}.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(text, "_LOCALE_DIR", tmp_path)
    assert text._available_languages() == ("en", "es", "fr")


@pytest.mark.parametrize("lang", text.LANGUAGES[1:])
def test_every_language_has_exactly_the_english_keys(lang):
    english, other = set(text.catalogue("en")), set(text.catalogue(lang))
    assert not english - other, f"missing in {lang}: {sorted(english - other)}"
    assert not other - english, f"not in en: {sorted(other - english)}"


@pytest.mark.parametrize("lang", text.LANGUAGES[1:])
def test_every_message_has_the_english_placeholders_and_list_length(lang):
    english, other = text.catalogue("en"), text.catalogue(lang)
    for key, value in english.items():
        translated = other[key]
        assert type(translated) is type(value), key
        if isinstance(value, tuple):
            assert len(translated) == len(value), key
            pairs = zip(value, translated, strict=True)
        else:
            pairs = [(value, translated)]
        for original, version in pairs:
            assert text.placeholders(version) == text.placeholders(original), key


def test_catalogue_is_cached_and_read_only():
    assert text.catalogue("es") is text.catalogue("es")
    with pytest.raises(TypeError):
        text.catalogue("en")["app.title"] = "changed"


def test_unknown_language_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'es' \(got 'fr'\)"):
        text.catalogue("fr")
    with pytest.raises(ValueError, match="lang"):
        message("app.title", lang="de")


def test_unknown_key_is_named():
    with pytest.raises(ValueError, match="'app.no_such_key'"):
        message("app.no_such_key")


def test_message_fills_placeholders_and_names_a_missing_one():
    filled = message("error.bad_url_value", "en", parameter="valgus_deg", range="0 to 25 deg",
                     default="0")
    assert filled == "valgus_deg must be 0 to 25 deg; using the default 0."
    with pytest.raises(ValueError, match="placeholder 'default'"):
        message("error.bad_url_value", "en", parameter="valgus_deg", range="0 to 25")


def test_list_messages_come_through_paragraphs_only():
    with pytest.raises(ValueError, match="paragraphs"):
        message("about.purpose")
    assert len(text.paragraphs("about.purpose")) == 3
    assert text.paragraphs("app.title") == [message("app.title")]


def test_format_number_uses_the_language_decimal_separator():
    assert text.format_number(2.345, 2, "en") == "2.35"
    assert text.format_number(2.345, 2, "es") == "2,35"
    assert text.format_number(-3.04, 1, "es", signed=True) == "-3,0"
    assert text.format_number(3.0, 1, "en", signed=True) == "+3.0"


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_content_keys_the_product_needs_exist(lang):
    keys = text.catalogue(lang)
    needed = [
        "app.title", "app.subtitle", "control.valgus_deg", "control.glute_med_strength",
        "control.glute_max_strength", "control.stance_pct", "control.play", "control.task",
        "control.nerve_variant", "control.abductor_compensation", "control.language",
        "control.mode", "control.mode_patient", "control.mode_student",
        "preset.healthy_walking", "preset.dynamic_valgus", "preset.weak_glute_med",
        "preset.weak_glute_max", "preset.weak_glutes_valgus", "preset.sitting", "preset.reset",
        "panel.deep_rotator_load", "panel.narrowest_clearance", "panel.compression_index",
        "figure.posterior_title", "figure.frontal_title", "figure.loads_title",
        "red_flags.heading", "handout.heading", "handout.disclaimer", "handout.date_label",
        "handout.settings_label", "error.bad_url_value", "error.kernel_lost", "error.reload",
        "about.title", "knowledge.title",
    ]
    needed += [f"task.{task}" for task in ("walking", "single_leg_stance", "standing",
                                           "sitting", "fair")]
    needed += [f"variant.{letter}{suffix}" for letter in "ABCDEF" for suffix in ("", "_help")]
    assert [key for key in needed if key not in keys] == []
    assert "%" in keys["control.glute_med_strength"] and "mm" in keys["panel.narrowest_clearance"]


# --------------------------------------------------------------------------------------------
# Plain language, measured
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_every_patient_string_reads_at_grade_8_or_below(lang):
    strings = patient_strings(lang)
    assert len(strings) > 150
    too_hard = {value: readability(value, lang) for value in strings}
    too_hard = {value: scores for value, scores in too_hard.items() if not reads_easily(scores)}
    assert too_hard == {}


def test_the_readability_check_can_fail():
    hard = ("Neurodynamic sensitisation of the ischiofemoral interval precipitates "
            "intraneural ischaemia consequent upon extrapelvic entrapment.")
    assert not reads_easily(readability(hard, "en"))
    difícil = ("La sensibilización neurodinámica del intervalo isquiofemoral precipita una "
               "isquemia intraneural consecuente al atrapamiento extrapélvico.")
    assert not reads_easily(readability(difícil, "es"))


MEDICAL_TERMS = {
    "en": ["sciatic nerve", "sciatica", "piriformis syndrome", "piriformis", "gemelli",
           "superior gemellus", "inferior gemellus", "obturator internus", "quadratus femoris",
           "gluteus medius", "gluteus minimus", "gluteus maximus", "deep gluteal syndrome",
           "deep gluteal space", "hamstrings", "valgus", "dynamic valgus", "femur", "pelvis",
           "sacrum", "ischial tuberosity", "greater trochanter", "lesser trochanter", "tibia",
           "cauda equina", "fibrous bands", "entrapment", "compression", "compression index",
           "physiotherapy", "physiotherapist", "physio", "endometriosis", "deep hip rotators",
           "stance", "FAIR test", "neurological", "lumbar", "bilateral", "pathology",
           "adduction", "abduction", "abductor", "anaesthesia", "nerve root"],
    "es": ["nervio ciático", "ciática", "síndrome del piriforme", "piriforme", "géminos",
           "gémino superior", "gémino inferior", "obturador interno", "cuadrado femoral",
           "glúteo medio", "glúteo menor", "glúteo mayor", "síndrome glúteo profundo",
           "espacio glúteo profundo", "isquiotibiales", "valgo", "valgo dinámico", "fémur",
           "pelvis", "sacro", "tuberosidad isquiática", "trocánter mayor", "trocánter menor",
           "tibia", "cola de caballo", "bandas fibrosas", "atrapamiento", "compresión",
           "índice de compresión", "fisioterapia", "fisioterapeuta", "fisio", "endometriosis",
           "rotadores profundos de la cadera", "apoyo", "prueba FAIR", "neurológico", "lumbar",
           "bilateral", "patología", "aducción", "abducción", "abductor", "anestesia"],
}


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_glossary_explains_every_medical_term_a_patient_reads(lang):
    shown = [value for key, value in text.catalogue(lang).items()
             if not key.startswith(("student.", "glossary.", "meta."))]
    shown = [part for value in shown for part in ([value] if isinstance(value, str) else value)]
    shown += sorted({sentence for each in GRID for sentence in narrative(each, lang)})
    corpus = "\n".join(shown)
    explained = {term.lower() for term in text.glossary(lang)}
    used = [term for term in MEDICAL_TERMS[lang]
            if re.search(rf"\b{re.escape(term)}\b", corpus, flags=re.IGNORECASE)]
    assert len(used) >= 25
    assert [term for term in used if term.lower() not in explained] == []


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_glossary_entries_are_short_plain_explanations(lang):
    entries = text.glossary(lang)
    assert len(entries) == len([key for key in text.catalogue(lang) if key.startswith("glossary.")])
    for term, explanation in entries.items():
        assert term and explanation.endswith(".") and len(explanation) < 200, term


# --------------------------------------------------------------------------------------------
# Narrative
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_patient_narrative_has_two_to_four_sentences_for_every_state(lang):
    # Five in walking when one of them is about the whole stance (issue #11).
    lengths = {len(narrative(each, lang)) for each in GRID
               if each.stance_mean_load_ratio is None}
    assert min(lengths) >= 2 and max(lengths) <= 4
    lengths = {len(narrative(each, lang)) for each in GRID}
    assert min(lengths) >= 2 and max(lengths) <= 5


@pytest.mark.parametrize(("ratio", "phrase"), [
    (0.7, "about 30 percent less than in healthy walking"),
    (1.04, "about as hard as in healthy walking"),
    (1.5, "about 50 percent harder than in healthy walking"),
    (2.1, "about twice as hard as in healthy walking"),
    (3.4, "about 3.5 times as hard as in healthy walking"),
])
def test_more_load_reads_harder(ratio, phrase):
    assert phrase in narrative(state(deep_rotator_load_ratio=ratio))[0]


def test_load_words_grow_with_the_load():
    def percent(ratio):
        sentence = narrative(state(deep_rotator_load_ratio=ratio))[0]
        found = re.search(r"(\d+) percent harder", sentence)
        return int(found[1])
    assert percent(1.15) < percent(1.33) < percent(1.6)


@pytest.mark.parametrize(("change_mm", "phrase"), [
    (0.2, "about the same room"),
    (-1.0, "a little less room below the piriformis"),
    (-3.2, "about 3 mm less room below the piriformis"),
    (-6.6, "about 7 mm less room below the piriformis"),
    (2.4, "about 2 mm more room below the piriformis"),
])
def test_narrower_space_reads_less_room(change_mm, phrase):
    assert phrase in narrative(state(clearance_change_mm=change_mm))[1]


def test_spanish_narrative_moves_in_the_same_directions():
    assert "el doble" in narrative(state(deep_rotator_load_ratio=2.0), "es")[0]
    assert "un 50 % más" in narrative(state(deep_rotator_load_ratio=1.5), "es")[0]
    assert "unos 3 mm menos de sitio" in narrative(state(clearance_change_mm=-3.0), "es")[1]
    assert "4,5 veces" in narrative(state(deep_rotator_load_ratio=4.4), "es")[0]


def test_the_narrowest_space_is_named():
    sentence = narrative(state(narrowest_space="ischiofemoral"))[1]
    assert "behind the quadratus femoris" in sentence


@pytest.mark.parametrize("task", ["walking", "single_leg_stance", "standing", "sitting", "fair"])
def test_healthy_state_of_every_task(task):
    sentences = narrative(healthy(task=task))
    baseline = message(f"narrative.baseline_{task}")
    assert sentences[0] == f"Everything is as in {baseline}."
    assert 2 <= len(sentences) <= 4


def test_healthy_walking():
    sentences = narrative(healthy())
    assert sentences[0] == "Everything is as in healthy walking."
    assert "work as usual" in sentences[1]


def test_sitting_explains_the_bent_hip():
    sentences = narrative(state(task="sitting", valgus_deg=0.0, deep_rotator_load_ratio=1.0,
                                clearance_change_mm=-4.0))
    assert any("Sitting bends the hip" in sentence and "tightens" in sentence
               for sentence in sentences)
    assert "4 mm less room" in sentences[1]


def test_fair_position_explains_the_stretch():
    assert any("stretches the piriformis" in sentence
               for sentence in narrative(state(task="fair")))


def test_strong_valgus_gives_the_source_claim_as_its_claim():
    sentences = narrative(state(valgus_deg=20.0, deep_rotator_load_ratio=1.8))
    assert any(sentence.startswith("The source text says") and "falls inwards" in sentence
               and "overtime" in sentence for sentence in sentences)


@pytest.mark.parametrize(("strengths", "phrase"), [
    ((0.4, 1.0), "The source text says that weak buttock muscles"),
    ((1.0, 0.4), "The source text says that weak buttock muscles"),
    ((0.4, 0.4), "The source text says that weak buttock muscles"),
])
def test_weakness_explains_the_compensation(strengths, phrase):
    med, mx = strengths
    sentences = narrative(state(valgus_deg=0.0, glute_med_strength=med, glute_max_strength=mx,
                                deep_rotator_load_ratio=1.3))
    assert any(phrase in sentence for sentence in sentences)


def test_valgus_with_weakness_reads_as_the_largest_effect():
    sentences = narrative(state(valgus_deg=15.0, glute_max_strength=0.4,
                                deep_rotator_load_ratio=2.4))
    assert any("the most extra work" in sentence for sentence in sentences)


def test_a_mechanism_the_model_does_not_show_is_not_claimed():
    sentences = narrative(state(valgus_deg=0.0, glute_med_strength=0.4,
                                deep_rotator_load_ratio=1.02))
    assert any("adds little work" in sentence for sentence in sentences)
    assert not any("work more" in sentence for sentence in sentences)


def test_compensation_on_is_described():
    sentences = narrative(state(valgus_deg=0.0, glute_med_strength=0.4,
                                abductor_compensation=True))
    assert any("pelvis dips on the other side" in sentence for sentence in sentences)
    assert not any("pelvis dips" in sentence
                   for sentence in narrative(state(abductor_compensation=False)))


def test_unmet_moment_is_said_plainly():
    sentences = narrative(state(unmet_moment_Nm=6.0))
    assert any("cannot fully carry this load" in sentence for sentence in sentences)
    assert not any("cannot fully carry" in sentence
                   for sentence in narrative(state(unmet_moment_Nm=0.1)))


@pytest.mark.parametrize("variant", ["B", "C", "D", "E", "F"])
def test_a_variant_is_common_and_usually_harmless(variant):
    sentences = narrative(healthy(nerve_variant=variant))
    assert any(f"Type {variant}" in sentence for sentence in sentences)
    # Per type (issue #11): one in six is the rate of any variant; B is about 1 in 10 and each
    # of C-F about 2 in 100 or fewer [tomaszewski2016].
    rate = "1 person in 10" if variant == "B" else "2 people in 100 or fewer"
    assert any(rate in sentence and "usually harmless" in sentence for sentence in sentences)
    assert not any("one person in six" in sentence for sentence in sentences)
    assert not any("in 10" in sentence or "in 100" in sentence
                   for sentence in narrative(healthy(nerve_variant="A")))


def test_little_room_is_said_only_above_the_healthy_room():
    tight = "little room at this moment"
    assert any(tight in sentence for sentence in narrative(
        state(compression_index=0.9, healthy_compression_index=0.5)))
    for healthy_index in (0.88, 0.9, 0.92, None):
        assert not any(tight in sentence for sentence in narrative(
            state(compression_index=0.9, healthy_compression_index=healthy_index)))
    assert any("little room" in sentence for sentence in narrative(
        state(task="sitting", valgus_deg=0.0, deep_rotator_load_ratio=1.0,
              compression_index=0.9, clearance_change_mm=-4.0)))


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_narrative_explains_and_never_diagnoses(lang):
    diagnosing = {"en": r"\byou have\b|\bdiagnos|\byour (hip|nerve|knee)\b",
                  "es": r"\busted tiene\b|\bdiagn[oó]stic|\bsu (cadera|nervio|rodilla)\b"}[lang]
    for each in GRID[::7]:
        for sentence in narrative(each, lang, mode="student"):
            assert not re.search(diagnosing, sentence, flags=re.IGNORECASE), sentence


def test_student_mode_adds_numbers_units_equations_and_sources():
    each = state(deep_rotator_load_ratio=1.734, narrowest_clearance_mm=4.26,
                 clearance_change_mm=-3.04, compression_index=0.41, unmet_moment_Nm=5.25,
                 nerve_variant="B", abductor_compensation=True, glute_med_strength=0.5)
    patient = narrative(each)
    student = narrative(each, mode="student")
    assert student[:len(patient)] == patient and len(student) == len(patient) + 6
    joined = " ".join(student[len(patient):])
    for expected in ("1.73 ×", "4.3 mm", "-3.0 mm", "compression index 0.41", "10°", "50 %",
                     "5.2 N·m", "Σ r·F = M", "[smoll2010]", "16.9 %"):
        assert expected in joined
    assert "1,73 ×" in " ".join(narrative(each, "es", mode="student"))


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_every_source_key_a_student_sees_is_in_the_references(lang):
    cited = set()
    for key, value in text.catalogue(lang).items():
        if key.startswith("student."):
            for group in re.findall(r"\[([a-z0-9_; ]+)\]", value):
                cited.update(part.strip() for part in group.split(";"))
    assert len(cited) >= 10
    assert cited - set(text.references()) == set()


def test_narrative_mode_and_language_are_checked():
    with pytest.raises(ValueError, match="mode must be 'patient' or 'student'"):
        narrative(state(), mode="teacher")
    with pytest.raises(ValueError, match="lang must be one of"):
        narrative(state(), lang="fr")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("task", "running", r"task must be one of 'walking', 'single_leg_stance', 'standing', "
                        r"'sitting', 'fair' \(got 'running'\)"),
    ("valgus_deg", 30.0, r"valgus_deg must be a finite number in deg, 0 to 25"),
    ("valgus_deg", math.nan, r"valgus_deg .* deg"),
    ("valgus_deg", True, r"valgus_deg"),
    ("glute_med_strength", 0.1, r"glute_med_strength .* fraction of normal, 0.2 to 1"),
    ("glute_max_strength", "1", r"glute_max_strength"),
    ("deep_rotator_load_ratio", -0.5, r"deep_rotator_load_ratio .* at least 0"),
    ("deep_rotator_load_ratio", math.inf, r"deep_rotator_load_ratio"),
    ("clearance_change_mm", math.nan, r"clearance_change_mm .* mm"),
    ("compression_index", 1.2, r"compression_index .* 0 to 1"),
    ("narrowest_space", "pelvis", r"narrowest_space must be one of 'subpiriform', "
                                  r"'suprapiriform', 'transpiriform', 'ischiofemoral'"),
    ("nerve_variant", "G", r"nerve_variant must be one of 'A', 'B', 'C', 'D', 'E', 'F'"),
    ("unmet_moment_Nm", -1.0, r"unmet_moment_Nm .* N m"),
    ("abductor_compensation", "yes", r"abductor_compensation must be True or False"),
])
def test_bad_narrative_state_names_parameter_unit_and_range(field, value, expected):
    with pytest.raises(ValueError, match=expected):
        state(**{field: value})


# --------------------------------------------------------------------------------------------
# Red flags, pages and the source text's points
# --------------------------------------------------------------------------------------------

RED_FLAG_WORDS = {
    "en": [(("weakness", "worse"), ("urgent",)),
           (("both legs", "cauda equina"), ("emergency", "spine")),
           (("Severe", "never stops", "does not change when you move"), ("other causes",))],
    "es": [(("debilidad", "a peor"), ("urgente",)),
           (("dos piernas", "cola de caballo"), ("urgencias", "columna")),
           (("fuerte", "no para nunca", "no cambia al moverse"), ("otras causas",))],
}


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_red_flags_carry_the_three_source_items_with_what_they_call_for(lang):
    flags = text.red_flags(lang)
    assert len(flags) == 3
    for (sign, action), (sign_words, action_words) in zip(flags, RED_FLAG_WORDS[lang], strict=True):
        assert all(word in sign for word in sign_words), sign
        assert all(word in action for word in action_words), action


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_extra_red_flags_are_kept_apart(lang):
    extra = text.red_flags(lang, extra=True)
    assert len(extra) == 5
    assert not set(extra) & set(text.red_flags(lang))
    assert message("red_flags.extra_heading", lang) != message("red_flags.heading", lang)


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_pages_have_their_sections_in_order(lang):
    about = text.sections("about", lang)
    knowledge = text.sections("knowledge", lang)
    assert len(about) == 5 and len(knowledge) == 8
    assert all(heading and paragraphs for heading, paragraphs in about + knowledge)
    with pytest.raises(ValueError, match="page must be one of 'about', 'knowledge', 'helps'"):
        text.sections("faq", lang)


SOURCE_TEXT_CHECKS = {
    "en": {
        "knowledge.what": ["sciatic nerve", "trapped or irritated", "deep gluteal space",
                           "piriformis", "fibrous bands", "gemelli and obturator internus",
                           "hamstrings"],
        "knowledge.name": ["piriformis syndrome", "not the only cause", "wider name"],
        "knowledge.misconception": ["sciatica", "lower back",
                                    "Your back may be completely innocent"],
        "knowledge.structures": ["Piriformis:", "Superior gemellus:", "Obturator internus:",
                                 "Inferior gemellus:", "Quadratus femoris:", "Gluteus medius:",
                                 "Gluteus maximus:", "Sciatic nerve:"],
        "knowledge.valgus": ["falls inwards", "work overtime to control", "tight",
                             "pressure on the nerve"],
        "knowledge.weakness": ["gluteus medius", "gluteus maximus", "other ways to move",
                               "more work"],
        "knowledge.reassurance": ["tingle", "burn", "irritated or squeezed in the buttock",
                                  "not damaged in the spine", "less frightening"],
        "knowledge.treatment": ["physiotherapy"],
        "about.not_for": ["not a diagnosis", "exam"],
        "about.seek_care": ["red flags"],
    },
    "es": {
        "knowledge.what": ["nervio ciático", "atrapado o irritado", "espacio glúteo profundo",
                           "piriforme", "bandas fibrosas", "géminos y el obturador interno",
                           "isquiotibiales"],
        "knowledge.name": ["síndrome del piriforme", "no es la única causa", "más amplio"],
        "knowledge.misconception": ["ciática", "espalda",
                                    "Puede que su espalda no tenga nada que ver"],
        "knowledge.structures": ["Piriforme:", "Gémino superior:", "Obturador interno:",
                                 "Gémino inferior:", "Cuadrado femoral:", "Glúteo medio:",
                                 "Glúteo mayor:", "Nervio ciático:"],
        "knowledge.valgus": ["hacia dentro", "trabajan de más para controlarlo", "tensos",
                             "presión sobre el nervio"],
        "knowledge.weakness": ["glúteo medio", "glúteo mayor", "otras formas de moverse",
                               "más trabajo"],
        "knowledge.reassurance": ["hormigueo", "quemazón", "irritado o apretado en el glúteo",
                                  "No está dañado en la columna", "menos miedo"],
        "knowledge.treatment": ["fisioterapia"],
        "about.not_for": ["No es un diagnóstico", "No sustituye a una exploración"],
        "about.seek_care": ["señales de alarma"],
    },
}


@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_source_text_points_are_all_present(lang):
    for key, phrases in SOURCE_TEXT_CHECKS[lang].items():
        joined = " ".join(text.paragraphs(key, lang))
        assert [phrase for phrase in phrases if phrase not in joined] == [], key
    for keys in text.SOURCE_POINTS.values():
        assert all(key in text.catalogue(lang) for key in keys)


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------

REQUIRED_REFERENCES = [
    "delp1990", "delp1999", "anderson1999", "opensim_gait2392", "opensim_subject01",
    "rajagopal2016", "parvaresh2019", "ward2009", "johnston1979", "friederich1990", "barker2014",
    "vaarbakken2014", "vaarbakken2015", "mcgovern2017", "neumann2010", "winter2009",
    "kadaba1990", "heiderscheit2011", "powers2010", "souza2009", "hewett2005",
    "vanderkrogt2012", "pohl2015", "pauwels1965", "bergmann2016", "bergmann2001",
    "tomaszewski2016", "rusu2020", "chen2018", "singer2015", "barros2019", "torriani2009",
    "johnson2017", "hatem2020", "ridehalgh2014", "coppieters2006", "balius2022", "beaton1937",
    "smoll2010", "poutoglidou2020", "mccrory1999", "martin2011", "martin2014", "hernando2015",
    "carro2016", "fishman2002",
]


def reference_rows() -> tuple[list[str], list[dict[str, str]]]:
    with open(data_dir() / "references.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def test_references_have_the_columns_and_unique_keys():
    columns, rows = reference_rows()
    assert tuple(columns) == text.REFERENCE_COLUMNS
    keys = [row["key"] for row in rows]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in keys)
    assert [key for key in REQUIRED_REFERENCES if key not in keys] == []


def test_references_are_well_formed():
    _, rows = reference_rows()
    for row in rows:
        assert row["title"], row["key"]
        assert row["authors"] or row["url"], row["key"]
        assert re.fullmatch(r"(1[89]|20)\d\d|", row["year"]), row["key"]
        assert re.fullmatch(r"10\.\d{4,9}/\S+|", row["doi"]), row["key"]
        assert re.fullmatch(r"https?://\S+|", row["url"]), row["key"]
        if re.fullmatch(r"[a-z]+\d{4}", row["key"]):
            assert row["key"].endswith(row["year"]), row["key"]


def test_bibtex_is_generated_from_the_csv():
    bib = text.references_bibtex()
    assert (data_dir() / "references.bib").read_text(encoding="utf-8") == bib
    assert bib.count("\n@") + bib.startswith("@") == len(text.references())
    assert "@article{delp1990," in bib and "pages = {757--767}" in bib
    assert "author = {Delp, S. L. and Loan, J. P." in bib
    assert "author = {van der Krogt, M. M. and" in bib


def test_the_catalogue_has_words_for_every_task_variant_and_space_of_the_model():
    from deepgluteal import scenario, space
    assert text._choices("task") == tuple(scenario.TASKS)
    assert text._choices("variant") == tuple(space.VARIANTS)
    assert text._choices("space") == tuple(space.SPACES)
