"""Darija (ary) and Derja (aeb) texts say what the French says, spelt as knowledge/spelling.yml rules.

Every dialect text (entry titles, answers, country paragraphs and interface strings) is compared with its
French: the same numbers, dates, web addresses and commands, and none of the spellings that the guide in
knowledge/README.md rules out. A citation moved out of a dialect text may live in the sources line instead
(the source titles shown under the answer), as the guide asks for legal references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.core.render import MAX_SOURCES_SHOWN

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
DIALECTS = ("ary", "aeb")
MAX_WORDS = 19  # sentences under 20 words
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
NUMBER = re.compile(
    r"(?<![^\W_])\d+(?:[ \u00a0\u202f]\d{3}(?!\d))*(?:[.,]\d+)?(?![^\W_])"
)  # not the digits of Arabizi words
ADDRESS = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:it|ma|tn|eu|org|com|net)\b(?:/[\w./?=&%-]*)?", re.I)
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")
DATE = re.compile(rf"\b(?:(\d{{1,2}}) )?({'|'.join(MONTHS)}) (\d{{4}})\b", re.I)
SMALL = 12  # numbers the French often writes in words ("deux étapes", "trois ans")


@dataclass(frozen=True)
class Pair:
    """One dialect text beside the French it translates."""

    where: str
    lang: str
    text: str
    french: str
    english: str
    sources: str


def _entries() -> Iterator[Pair]:
    for path in sorted((KNOWLEDGE / "entries").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        shown = " ".join(s["title"] for s in data["sources"][:MAX_SOURCES_SHOWN])
        fields = [("title", data["title"]), ("answer", data["answer"])]
        fields += [(f"by_country.{c}", v) for c, v in (data.get("by_country") or {}).items()]
        for name, texts in fields:
            for lang in DIALECTS:
                if lang in texts:
                    yield Pair(f"{data['id']} {name}", lang, texts[lang], texts["fr"], texts["en"], shown)


def _strings() -> Iterator[Pair]:
    load = {
        lang: yaml.safe_load((KNOWLEDGE / "strings" / f"{lang}.yml").read_text(encoding="utf-8"))
        for lang in ("fr", "en", *DIALECTS)
    }
    for lang in DIALECTS:
        for key, text in load[lang].items():
            yield Pair(f"strings {key}", lang, text, load["fr"][key], load["en"][key], "")


PAIRS = [*_entries(), *_strings()]
IDS = [f"{p.lang} {p.where}" for p in PAIRS]
GUIDE = yaml.safe_load((KNOWLEDGE / "spelling.yml").read_text(encoding="utf-8"))


def numbers(text: str) -> set[str]:
    """Numbers in a text, with thousands separators dropped and decimal commas kept as commas."""
    text = COMMAND.sub(" ", ADDRESS.sub(" ", text))
    return {re.sub(r"[ \u00a0\u202f]", "", n).replace(".", ",") for n in NUMBER.findall(text)}


def dates(text: str) -> set[tuple[str, str, str]]:
    """Day, month and year of each date written with a French month name."""
    return {(d, m.lower(), y) for d, m, y in DATE.findall(text)}


def addresses(text: str) -> set[str]:
    """Web addresses, lower-cased and without scheme or trailing dot."""
    return {re.sub(r"^https?://", "", a.lower()).rstrip(".") for a in ADDRESS.findall(text)}


def ruled_out(text: str, lang: str) -> list[str]:
    """The forms the spelling guide rules out that a text still uses, each with what to write instead."""
    found = []
    for variant, instead in GUIDE[lang]["ruled_out"].items():
        if re.search(rf"(?<![\w'’-]){re.escape(variant)}(?![\w'’-])", text, re.I):
            found.append(f"{variant!r} (write {instead})")
    for pattern, instead in (GUIDE[lang].get("patterns") or {}).items():
        if re.search(pattern, text, re.I):
            found.append(f"/{pattern}/ (write {instead})")
    return found


def sentences(text: str) -> list[str]:
    """Sentences of a text, split at full stops, question and exclamation marks, semicolons, colons, lines."""
    text = ADDRESS.sub("URL", text)
    parts = re.split(r"(?<=[.!?;:])\s+|\n+", text)
    return [p.strip(" -") for p in parts if p.strip(" -")]


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_dialect_keeps_the_numbers_of_the_french(pair: Pair) -> None:
    kept = numbers(pair.text) | numbers(pair.sources)
    assert numbers(pair.french) - kept == set(), f"{pair.lang} {pair.where} drops numbers"
    extra = {
        n
        for n in numbers(pair.text) - numbers(pair.french) - numbers(pair.english)
        if int(n.split(",")[0]) > SMALL
    }
    assert extra == set(), f"{pair.lang} {pair.where} adds numbers the French does not have"


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_dialect_keeps_the_dates_addresses_and_commands_of_the_french(pair: Pair) -> None:
    for day, month, year in dates(pair.french):
        in_text = (day, month, year) in dates(pair.text)
        in_sources = year in pair.sources and (not day or day in numbers(pair.sources))
        assert in_text or in_sources, f"{pair.lang} {pair.where} drops the date {day} {month} {year}"
    assert addresses(pair.french) <= addresses(pair.text), f"{pair.lang} {pair.where} drops an address"
    assert set(COMMAND.findall(pair.french)) <= set(
        COMMAND.findall(pair.text)
    ), f"{pair.where} drops a command"


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_dialect_uses_only_the_spellings_of_the_guide(pair: Pair) -> None:
    assert ruled_out(pair.text, pair.lang) == [], f"{pair.lang} {pair.where}"


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_dialect_sentences_are_short(pair: Pair) -> None:
    long = [s for s in sentences(pair.text) if len(s.split()) > MAX_WORDS]
    assert long == [], f"{pair.lang} {pair.where}: {len(long)} sentences of 20 words or more"


def test_the_checks_catch_a_dropped_number_and_a_ruled_out_spelling() -> None:
    assert numbers("7 500 stages, 116,46 euros, 2023-2025") == {"7500", "116,46", "2023", "2025"}
    assert numbers("anapec.ma et /stop, 30 h") == {"30"}
    assert dates("le décret du 28 juin 2023, MENTOR 2 a fini en juin 2024") == {
        ("28", "juin", "2023"),
        ("", "juin", "2024"),
    }
    assert "b3d" in ruled_out("mn b3d l stage", "ary")[0]
    assert ruled_out("mn ba3d l stage", "ary") == []
    assert ruled_out("recruteur 3mmro ma ykhellsek", "ary") != []
    assert ruled_out("nta w nti", "ary") != [] and ruled_out("nta/nti", "ary") == []
    assert ruled_out("el akther", "aeb") == [] and ruled_out("el ktar", "aeb") != []
    assert ruled_out("l'équipe", "ary") == [] and ruled_out("l équipe", "ary") != []


def test_the_guide_names_its_data_file() -> None:
    readme = (KNOWLEDGE / "README.md").read_text(encoding="utf-8")
    assert "## Spelling guide" in readme and "spelling.yml" in readme
    for lang in DIALECTS:
        assert GUIDE[lang]["terms"]["residence permit"] and GUIDE[lang]["ruled_out"]
