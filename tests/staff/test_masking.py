"""Masking: phone numbers of the three countries in every way people write them, e-mail addresses, and the
names people give, in each language; what is not personal stays as written."""

from __future__ import annotations

import pytest

from bot.staff.masking import EMAIL, NAME, PHONE, mask, without_placeholders

PHONES = [
    "+212 661 734 905",
    "+212661734905",
    "+212-661-73-49-05",
    "00212 6 61 73 49 05",
    "(+212) 661734905",
    "0661734905",
    "06 61 73 49 05",
    "06.61.73.49.05",
    "07-61-73-49-05",
    "0522 45 67 89",
    "+216 98 123 456",
    "00216 98123456",
    "98 123 456",
    "+216.71.123.456",
    "+39 333 123 4567",
    "0039 333 1234567",
    "333 123 4567",
    "3331234567",
    "02 1234 5678",
    "+33 6 12 34 56 78",
]


@pytest.mark.parametrize("number", PHONES)
def test_phone_numbers_are_masked_however_written(number: str) -> None:
    for text in (f"appelez moi {number} svp", f"{number}", f"rani f {number}, 3ayto liya"):
        masked = mask(text)
        assert PHONE in masked, text
        assert not any(c.isdigit() for c in masked.replace(PHONE, "").replace("3ayto", "")), masked


@pytest.mark.parametrize(
    "address",
    ["youssef.benali@gmail.com", "Y_B+stage@yahoo.fr", "amal-t@topnet.tn", "x@mail.co.uk",
     "nadia (at) libero.it"],
)
def test_email_addresses_are_masked(address: str) -> None:
    masked = mask(f"mon mail {address} merci")
    assert masked == f"mon mail {EMAIL} merci"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("je m'appelle Youssef, je veux un stage", "Youssef"),
        ("Bonjour je m appelle amina benali", "amina"),
        ("moi c'est Karim", "Karim"),
        ("mon prénom est Salma", "Salma"),
        ("salam smiti Hamza bghit stage", "Hamza"),
        ("ana smiti khadija mn tanja", "khadija"),
        ("ismi Mohamed Amine w n7eb nemchi l italia", "Mohamed"),
        ("esmi Sami", "Sami"),
        ("my name is John Smith and I want a traineeship", "John"),
        ("Hi, my name's fatima", "fatima"),
        ("mi chiamo Giulia, vorrei informazioni", "Giulia"),
        ("اسمي يوسف وبغيت نمشي", "يوسف"),
        ("je suis Rania, étudiante", "Rania"),
    ],
)
def test_given_names_are_masked(text: str, name: str) -> None:
    masked = mask(text)
    assert NAME in masked, masked
    assert name not in masked, masked


def test_the_second_word_of_a_full_name_goes_too_but_not_the_next_sentence() -> None:
    wanted = f"my name is {NAME} and I want a traineeship"
    assert mask("my name is John Smith and I want a traineeship") == wanted
    assert "Amine" not in mask("ismi Mohamed Amine w n7eb nemchi")
    assert mask("smiti hamza w bghit stage") == f"smiti {NAME} w bghit stage"


@pytest.mark.parametrize(
    "text",
    [
        "wach kayn stage f italia 2027?",
        "le visa coûte 116 euros",
        "je suis perdu, c'est quoi l'art. 27",
        "je suis marocain et j'ai 25 ans",
        "décret du 28/06/2023",
        "combien de mois dure le stage, 6 ou 12?",
        "d.lgs. 286/1998",
        "le 28.06.2023 ou le 1-9-2027",
        "ana f casa",
    ],
)
def test_what_is_not_personal_stays(text: str) -> None:
    assert mask(text) == text


def test_several_kinds_in_one_message_and_placeholders_removed_for_comparison() -> None:
    text = "je m'appelle Leila, 0612345678 ou leila@gmail.com"
    masked = mask(text)
    assert masked == f"je m'appelle {NAME}, {PHONE} ou {EMAIL}"
    assert without_placeholders(masked) == "je m'appelle , ou"
