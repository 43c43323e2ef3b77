"""Short answers to the eligibility check's questions, in every variety, read into the check's values.

"22 ans", "3andi bac+2", "fi tounes", "licence f gestion 2024": one to four words, often with digits for
letters (3andi) and without accents. The intent classifier is not built for these, so each question has a
small lexicon (``check_answers.yml``); the NLU's country and city entities (its lookup tables) tell where
people live. ``parse`` returns the value or None (then the question is asked again with an example).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge.eligibility import add_months

ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
# Arabic glues "and", "in", "with", "to" and the article to the word: فالمغرب, الميكانيك, بالإيطالية.
ARABIC_PREFIX = "(?:[وفبلك]|ال|فال|بال|وال|لل|فل)?"
LATIN_ARTICLE = "(?:l|el)?"  # Darija and Derja glue the article in Latin script too: lbac, elbac
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def fold(text: str) -> str:
    """Lower case, no accents, Arabic letter variants merged, Arabic-Indic digits as ASCII, spaces single."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(ARABIC_DIGITS))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(ARABIC_FOLD)
    return " " + re.sub(r"[^\w+/'-]+", " ", text).strip() + " "


def _has(text: str, words: Iterable[str]) -> bool:
    """Whether a folded text holds one of the words or phrases as whole words (a trailing * allows more)."""
    for word in words:
        stem = word.rstrip("*")
        prefix = ARABIC_PREFIX if ARABIC_LETTER.match(stem) else LATIN_ARTICLE if len(stem) >= 3 else ""
        pattern = rf"(?<![\w]){prefix}{re.escape(stem)}" + ("" if word.endswith("*") else r"(?![\w])")
        if re.search(pattern, text):
            return True
    return False


LEXICON_FILE = Path(__file__).resolve().parent / "check_answers.yml"


def _folded(words: Iterable[Any]) -> tuple[str, ...]:
    """The lexicon's words folded as messages are (a trailing * kept)."""
    return tuple(fold(str(w)).strip() + ("*" if str(w).endswith("*") else "") for w in words)


def _load(path: Path = LEXICON_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        key: {k: _folded(v) for k, v in value.items()} if isinstance(value, dict) else _folded(value)
        for key, value in data.items()
    }


LEXICON = _load()
YES, NO, DONT_KNOW, CANCEL, SKIP = (LEXICON[k] for k in ("yes", "no", "dont_know", "cancel", "skip"))
THIS_YEAR, LAST_YEAR, ONGOING = (LEXICON[k] for k in ("this_year", "last_year", "ongoing"))
ELEMENTARY, SKILLED = LEXICON["elementary"], LEXICON["skilled"]
RESIDENCE_WORDS, PATH_WORDS, REGION_WORDS = LEXICON["residence"], LEXICON["path"], LEXICON["region"]
ITALIAN_WORDS = LEXICON["italian"]
CITY_LOOKUP = Path(__file__).resolve().parent / "lookups" / "city.yml"


def _city_names(path: Path = CITY_LOOKUP) -> dict[str, tuple[str, ...]]:
    """Each canonical city and its spellings, from the NLU's lookup table (found here also glued to a prefix:
    فطنجة, which the entity extractor's word boundaries miss)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    names = {}
    for item in (i for i in data if "synonym" in i):
        lines = [line.strip("- ").strip() for line in item["examples"].splitlines()]
        names[item["synonym"]] = _folded(line for line in lines if line)
    return names


CITY_NAMES = _city_names()
MONTHS = {int(month): words for month, words in LEXICON["months"].items()}


def is_cancel(text: str) -> bool:
    """Whether the person wants to leave the check."""
    return _has(fold(text), CANCEL)


def _numbers(text: str) -> list[int]:
    """Digit runs that are numbers, not letters of Arabizi (3andi, 9rit, 7ta): a run followed by letters
    counts only when they are a unit (22ans, 6mois)."""
    found = []
    for match in re.finditer(r"(?<![a-z0-9])(\d+)([a-z\u0600-\u06ff]*)", text):
        digits, letters = match.groups()
        if letters and not re.fullmatch(r"ans?|y|yo|yrs?|years?|anni|sana|mois|m|months?|mesi|ع", letters):
            continue
        found.append(int(digits))
    return found


def parse_age(text: str, today: date) -> str | None:
    """Years as digits, "adult" or "minor"; a birth year gives the age it makes this year."""
    folded = fold(text)
    if _has(folded, LEXICON["adult"]):
        return "adult"
    if _has(folded, LEXICON["minor"]):
        return "minor"
    for number in _numbers(folded):
        if 10 <= number <= 80:
            return str(number)
        if today.year - 80 <= number <= today.year - 10:
            return str(today.year - number)
    return None


def parse_residence(text: str, entities: Mapping[str, str], cities: Mapping[str, str]) -> str | None:
    """MA, TN, other (outside the EU) or eu, from the NLU's country or city entity, else from the words."""
    folded = fold(text)
    if _has(folded, ("deja en italie", "already in italy", "gia in italia")):  # beats a home city beside it
        return "eu"
    city = entities.get("city") or next((c for c, names in CITY_NAMES.items() if _has(folded, names)), "")
    country = entities.get("country") or cities.get(city, "")
    if country in ("MA", "TN"):
        return country
    if country == "IT":
        return "eu"
    for value, words in RESIDENCE_WORDS.items():
        if _has(folded, words):
            return value
    return None


def parse_path(text: str) -> str | None:
    """degree, vocational, secondary or other: the highest named wins (bac+2 is vocational, not the bac)."""
    folded = fold(text)
    for value, words in PATH_WORDS.items():
        if _has(folded, words):
            return value
    return None


def _month_year(folded: str, today: date) -> tuple[int, int] | None:
    """A month and year: 09/2027, 2027-09, 15/09/2027, "septembre 2027", "sept 27"."""
    match = re.search(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?!\d)", folded)
    if match:
        return int(match.group(2)), _year(int(match.group(3)))
    match = re.search(r"(?<!\d)(\d{1,2})[/.-](\d{4}|\d{2})(?!\d)", folded)
    if match and 1 <= int(match.group(1)) <= 12:
        return int(match.group(1)), _year(int(match.group(2)))
    match = re.search(r"(?<!\d)(\d{4})[/.-](\d{1,2})(?!\d)", folded)
    if match and 1 <= int(match.group(2)) <= 12:
        return int(match.group(2)), int(match.group(1))
    years = [n for n in _numbers(folded) if 1980 <= n <= today.year + 15 or 20 <= n <= 45]
    for month, names in MONTHS.items():
        if _has(folded, names) and years:
            return month, _year(years[0])
    return None


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _day(folded: str) -> int:
    match = re.search(r"(?<!\d)(\d{1,2})[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})(?!\d)", folded)
    return int(match.group(1)) if match else 1


def parse_obtained(text: str, today: date) -> str | None:
    """YYYY-MM, YYYY or "ongoing": when the qualification was obtained ("depuis 6 mois" is counted back)."""
    folded = fold(text)
    if _has(folded, ONGOING):
        return "ongoing"
    found = _month_year(folded, today)
    if found and found[1] <= today.year:
        return f"{found[1]:04d}-{found[0]:02d}"
    ago = re.search(r"(\d+)\s*(mois|months?|mesi|chhour|chhar|shhour|أشهر|اشهر|شهور|شهر)", folded)
    if ago:
        back = add_months(today, -int(ago.group(1)))
        return f"{back.year:04d}-{back.month:02d}"
    ago = re.search(r"(\d+)\s*(ans?|years?|anni|snin|sna|سنوات|سنين|سنه|عام|اعوام)", folded)
    if ago and _has(folded, ("il y a", "ago", "fa", "hadi", "hedhi", "3andha", "من", "ya", "depuis")):
        return str(today.year - int(ago.group(1)))
    if _has(folded, THIS_YEAR):
        return str(today.year)
    if _has(folded, LAST_YEAR):
        return str(today.year - 1)
    for number in _numbers(folded):
        if 1980 <= number <= today.year:
            return str(number)
    return None


def parse_region(text: str, entities: Mapping[str, str]) -> str | None:
    """lombardia, piemonte, other or unknown."""
    folded = fold(text)
    city = entities.get("city", "")
    if city == "Milano":
        return "lombardia"
    if city == "Torino":
        return "piemonte"
    for value, words in REGION_WORDS.items():
        if _has(folded, words):
            return value
    if _has(folded, DONT_KNOW) or _has(folded, ("pas encore", "not yet", "mazal", "ma zal", "مازال", "مزال")):
        return "unknown"
    return None


def parse_work(text: str) -> str | None:
    """elementary, skilled or unknown: domestic and repetitive words win over a trade named beside them."""
    folded = fold(text)
    if _has(folded, ELEMENTARY):
        return "elementary"
    if _has(folded, SKILLED):
        return "skilled"
    if _has(folded, DONT_KNOW):
        return "unknown"
    return None


def parse_yes_no(text: str, intent: str | None = None) -> str | None:
    """yes or no, from the words, else from the NLU's affirm or deny."""
    folded = fold(text)
    if _has(folded, NO):
        return "no"
    if _has(folded, YES):
        return "yes"
    return {"affirm": "yes", "deny": "no"}.get(intent or "")


def parse_italian(text: str) -> str | None:
    """good, basic or none."""
    folded = fold(text)
    for value, words in ITALIAN_WORDS.items():
        if _has(folded, words):
            return value
    return None


def parse_date(text: str, today: date) -> str | None:
    """YYYY-MM-DD from a month and year (its first day) or a full date; "skip" when the person skips."""
    folded = fold(text)
    found = _month_year(folded, today)
    if found and 1 <= found[0] <= 12:
        day = _day(folded)
        try:
            return date(found[1], found[0], day).isoformat()
        except ValueError:
            return date(found[1], found[0], 1).isoformat()
    if _has(folded, SKIP) or _has(folded, DONT_KNOW) or _has(folded, NO):
        return "skip"
    return None


def parse(
    step: str,
    text: str,
    today: date,
    entities: Mapping[str, str] | None = None,
    cities: Mapping[str, str] | None = None,
    intent: str | None = None,
) -> str | None:
    """The value of one question's answer, or None when it cannot be used."""
    entities = entities or {}
    readers = {
        "elig_age": lambda: parse_age(text, today),
        "elig_residence": lambda: parse_residence(text, entities, cities or {}),
        "elig_path": lambda: parse_path(text),
        "elig_obtained": lambda: parse_obtained(text, today),
        "elig_region": lambda: parse_region(text, entities),
        "elig_work": lambda: parse_work(text),
        "elig_host": lambda: parse_yes_no(text, intent),
        "elig_italian": lambda: parse_italian(text),
        "elig_start": lambda: parse_date(text, today),
        "elig_passport": lambda: parse_date(text, today),
        "elig_save": lambda: parse_yes_no(text, intent),
    }
    return readers[step]()
