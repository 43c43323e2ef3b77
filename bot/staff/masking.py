"""Personal data out of a question before staff read it or it becomes a training example.

Three kinds are masked: e-mail addresses, phone numbers (Moroccan, Tunisian, Italian and any other run of
seven or more digits, written with spaces, dots, dashes, brackets, ``+`` or ``00``), and the name a person
gives ("je m'appelle X", "smiti X", "ismi X", "my name is X", "mi chiamo X", "اسمي X"). Each becomes a
placeholder (``[email]``, ``[phone]``, ``[name]``), so a curator still sees that something was there and an
example keeps its shape. Masking is deliberately eager: a number that is not a phone is cheap to lose.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
NAME = "[name]"
PLACEHOLDERS = (EMAIL, PHONE, NAME)

_EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}", re.I)
# A phone: an optional +, 00 or (+212) prefix, then digits in groups separated by one space, dot, dash or
# bracket; seven digits at least overall (the shortest local numbers), counted below.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\+?\d[\d\s.\-()]{5,}\d(?!\w)")
_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})")
_MIN_DIGITS = 7
# "my name is", in the languages people write; what follows (one or two capitalised or Arabizi words) is
# the name. Arabic-script lead-ins take the next one or two words.
_NAME_LEAD = (
    r"je m'?\s?appel+e?|je m appel+e?|mon (?:nom|prénom|prenom) (?:c'?est|est)|moi c'?est|"
    r"my name is|my name's|i am called|call me|"
    r"mi chiamo|il mio nome (?:è|e'|e)|"
    r"smiti|esmi|ismi|asmi|smi|ana smiti|"
    r"اسمي|إسمي|سميتي|انا اسمي|أنا اسمي"
)
_NAME = re.compile(
    rf"(?P<lead>\b(?:{_NAME_LEAD})\b|(?:{_NAME_LEAD}))\s*[:,-]?\s*"
    r"(?P<name>[^\W\d_][\w'’-]*(?:\s+(?!(?:et|and|e|w|o|je|i|ana|from|de|mn|men|min|من|و)\b)"
    r"[A-ZÀ-ÖØ-Þ][\w'’-]*)?)",
    re.I,
)
# "je suis X" only when X is capitalised (otherwise "je suis perdu" would lose a word).
_SUIS = re.compile(r"\b(?P<lead>je suis|i'?m|sono|ana)\s+(?P<name>[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+)(?=[\s,.!?]|$)")
_NOT_NAMES = frozenset(
    {"italie", "italia", "italy", "maroc", "morocco", "marocain", "marocaine", "tunisie", "tunisia",
     "tunisien", "tunisienne", "etudiant", "étudiant", "etudiante", "étudiante", "student", "here", "ici"}
)


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if _DATE.fullmatch(found.strip()) or sum(c.isdigit() for c in found) < _MIN_DIGITS:
        return found
    return PHONE


def _name(match: re.Match[str]) -> str:
    if match.group("name").lower() in _NOT_NAMES:
        return match.group(0)
    return f"{match.group('lead')} {NAME}"


def mask(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and given names replaced by placeholders."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(_phone, text)
    text = _NAME.sub(_name, text)
    return _SUIS.sub(_name, text)


def without_placeholders(text: str) -> str:
    """The text with the placeholders removed: what the similarity compares (two ``[phone]`` are not a
    shared phrasing)."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, " ")
    return " ".join(text.split())
