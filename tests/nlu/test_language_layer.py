"""The language layer: varieties from script, model, lexicon and context (needs the trained model)."""

from __future__ import annotations

import pytest

from bot.settings import ROOT
from nlu.language import model as language_model
from nlu.language import script
from nlu.language.layer import LanguageLayer, load_lexicon
from nlu.language.normalize import normalize
from nlu.language.varieties import VARIETIES

pytestmark = pytest.mark.model
MODEL = ROOT / "models" / "langid.pkl"


@pytest.fixture(scope="module")
def layer() -> LanguageLayer:
    return LanguageLayer.load(MODEL)


@pytest.mark.parametrize(
    ("text", "variety"),
    [
        ("bonjour, quels documents faut-il pour le visa ?", "fr"),
        ("hi, what do I need for the traineeship visa?", "en"),
        ("ciao, quali documenti servono per il visto?", "it"),
        ("ما هي الوثائق المطلوبة للحصول على التأشيرة؟", "ar"),
        ("شنو خاصني باش ندير الفيزا ديال الستاج عافاك", "ary_arab"),
        ("شنوة لازمني باش نعمل الفيزا متاع الستاج عيشك", "aeb_arab"),
        ("salam, chno khassni bach ndir l visa dyal stage?", "ary_latn"),
        ("aslema, chnowa lazemni bech na3mel el visa mta3 el stage?", "aeb_latn"),
    ],
)
def test_each_variety_is_recognised(layer: LanguageLayer, text: str, variety: str) -> None:
    guess = layer.detect(text)
    assert guess.variety == variety
    assert guess.variety in VARIETIES and 0.0 <= guess.confidence <= 1.0


def test_a_message_too_short_to_tell_keeps_the_conversation_variety(layer: LanguageLayer) -> None:
    guess = layer.detect("ok", previous="aeb_latn")
    assert guess.too_short and guess.variety == "aeb_latn"


def test_a_message_without_letters_is_too_short(layer: LanguageLayer) -> None:
    assert layer.detect("😀👍 ??", previous="it") == layer.detect("😀👍 ??", previous="it")
    assert layer.detect("😀👍 ??", previous="it").variety == "it"
    assert layer.detect("😀👍 ??").too_short


def test_languages_we_do_not_serve_are_flagged(layer: LanguageLayer) -> None:
    assert layer.detect("hola, quiero trabajar en italia, que necesito?").foreign == "es"
    assert layer.detect("ich möchte in Italien arbeiten, was brauche ich").foreign == "de"
    assert layer.detect("bonjour je veux partir en italie pour un stage").foreign is None
    assert layer.detect("wach kayn chi stage f italia 3afak").foreign is None


def test_script_counts_letters_by_writing_system() -> None:
    assert script.count("salam عليكم يا خويا 123").main == "arab"
    assert script.count("salam 3likom").main == "latn"
    assert script.count("🙂 123 !!").main == "none"


def test_lexicon_drops_words_claimed_by_two_varieties() -> None:
    lexicon = load_lexicon()
    for word in {w for v in VARIETIES for w in lexicon[v]}:
        assert sum(word in lexicon[v] for v in VARIETIES) == 1


@pytest.mark.parametrize(
    ("pipeline_name", "scorer_class"),
    [("general", language_model.LinearScorer), ("dialects", language_model.NaiveBayesScorer)],
)
def test_the_fast_scorers_give_the_pipeline_probabilities(pipeline_name: str, scorer_class: type) -> None:
    pipeline = getattr(language_model.load(MODEL), pipeline_name)
    scorer = scorer_class(pipeline)
    texts = [
        normalize(t) for t in ("chno l wra9 dyal visa", "quels papiers", "n7eb na3ref", "ما هي الوثائق", "😀")
    ]
    for text, expected in zip(texts, pipeline.predict_proba(texts), strict=True):
        got = scorer.probabilities(text)
        assert got == pytest.approx(dict(zip(pipeline.classes_, expected, strict=True)), abs=1e-9)


@pytest.mark.parametrize("text", ["ana 3andi bac", "ana 3andi diplome"])
def test_the_country_decides_an_ambiguous_latin_message(layer: LanguageLayer, text: str) -> None:
    assert layer.detect(text, country="TN").variety == "aeb_latn"
    assert layer.detect(text, country="MA").variety == "ary_latn"


@pytest.mark.parametrize(
    ("text", "country", "variety"),
    [
        ("bghit stage f italia", "TN", "ary_latn"),
        ("n7eb stage", "MA", "aeb_latn"),
        ("9adeh el flous", "MA", "aeb_latn"),
    ],
)
def test_the_country_never_overrides_clear_evidence(
    layer: LanguageLayer, text: str, country: str, variety: str
) -> None:
    assert layer.detect(text, country=country).variety == variety
    own_dialect = "ary_latn" if country == "MA" else "aeb_latn"
    assert layer.detect(text, country=country, previous=own_dialect).variety == variety


def test_a_two_word_follow_up_keeps_the_earlier_dialect(layer: LanguageLayer) -> None:
    assert layer.detect("ana motivé").variety == "ary_latn"
    assert layer.detect("ana motivé", previous="aeb_latn").variety == "aeb_latn"


def test_chkoun_and_barra_are_not_reserved_for_derja(layer: LanguageLayer) -> None:
    lexicon = load_lexicon()
    assert not {"chkoun", "barra"} & lexicon["aeb_latn"]
    assert layer.detect("chkoun li kaytsjel f had stage").variety == "ary_latn"
