"""The eligibility rules on their own, and what the check may say: every finding cites its source and the
day the rules were checked, and no text of the check states what art27-facts.md §9 leaves unverified."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import yaml

from bot.actions.deps import ActionDeps
from bot.actions.eligibility_outcome import findings_payload
from bot.core.render import Renderer
from knowledge import eligibility as rules
from knowledge import loader

TODAY = date(2026, 11, 22)
STRINGS = Path(rules.__file__).resolve().parent / "strings"
MET = rules.Answers("22", "MA", "degree", "2026", "lombardia", "skilled", "yes", "basic")
CHECK_KEYS = re.compile(r"^(check_|item_|checklist_|reminder_passport|button_check)")
# What §9 of the fact sheet leaves open, as the words that would state it (any language), and promises
# the check must never make.
UNVERIFIED = {
    "provider or fee of a visa centre": r"almaviva|\bavs\b|tlscontact|\btls\b|\bvfs\b|250 mad|68[.,]300"
    r"|€ ?50\b|\b50 ?€",
    "allowance minimums for residents abroad": r"€ ?[56]00|[56]00 ?€|[56]00 euro",
    "SSN rate for trainees": r"\b700\b",
    "a 2026-28 contingent decree or a regional split": r"2026[-–/]2?0?28|quota.{0,20}(lombardia|piemonte)",
    "permit card delivery time": r"6[-–]8 (weeks|semaines|settimane)",
    "the Tunis reporting address": r"visti1\.tunisi",
    "ANAPEC or ANETI as MENTOR 2 partners": r"anapec|aneti",
    "MENTOR 2 age limits, or no age limit": r"(upper|maximum|no) age limit|limite d'âge|limite di età"
    r"|20 (to|à|a) 30",
    "regional processing times": r"(processing|traitement|elaborazione).{0,30}(days|jours|giorni)",
    "a promise of a visa": r"you will get (a|the) visa|tu (auras|obtiendras) (le|un) visa|otterrai il visto"
    r"|visa garanti",
    "an open call": r"(call|appel|bando|programme) (is|est|è) (open|ouvert|aperto)",
}  # fmt: skip


def test_age_residence_and_work_rules() -> None:
    assert rules.age_rule(rules.Answers(age="17")).status == "not_met"
    assert rules.age_rule(rules.Answers(age="18")).status == "met"
    assert rules.age_rule(rules.Answers(age="adult")).sources == ("S9", "S14")
    assert rules.residence_rule(rules.Answers(residence="eu")).status == "not_met"
    assert rules.residence_rule(rules.Answers(residence="other")).status == "met"
    assert rules.work_rule(rules.Answers(work="elementary")).status == "not_met"
    assert rules.work_rule(rules.Answers(work="unknown")).status == "unknown"
    assert rules.path_rule(rules.Answers(path="other")).status == "unknown"


@pytest.mark.parametrize(
    ("region", "obtained", "status", "string"),
    [
        ("lombardia", "2026", "met", "check_ok_timing"),
        ("lombardia", "2025-12", "met", "check_ok_timing"),  # 11 months before 22 November 2026
        ("lombardia", "2025-10", "not_met", "check_no_timing_lombardia"),  # 13 months
        ("lombardia", "2025", "unknown", "check_unknown_timing"),  # 11 to 22 months: the month decides
        ("lombardia", "2024", "not_met", "check_no_timing_lombardia"),
        ("lombardia", "ongoing", "unknown", "check_unknown_timing"),
        ("piemonte", "2024", "unknown", "check_timing_piemonte"),  # no 12-month rule seen, none stated
        ("piemonte", "2026", "met", "check_ok_timing"),
        ("other", "2022", "unknown", "check_timing_other"),
    ],
)
def test_lombardias_12_month_rule_and_piemonte(region: str, obtained: str, status: str, string: str) -> None:
    finding = rules.timing_rule(rules.Answers(region=region, obtained=obtained), TODAY)
    assert (finding.status, finding.string) == (status, string)


def test_longest_traineeship_by_qualification_and_region() -> None:
    assert rules.duration_note(MET).params == {"months": 12}
    assert rules.stay_months(rules.Answers(path="vocational", region="lombardia")) == 6
    assert rules.stay_months(rules.Answers(path="degree", region="piemonte")) == rules.GENERAL_MAX_MONTHS


def test_verdicts_and_early_stops() -> None:
    assert rules.verdict(rules.findings(MET, TODAY)) == "met"
    assert [f.condition for f in rules.findings(rules.Answers(age="16"), TODAY)] == ["age"]
    in_italy = rules.findings(rules.Answers(age="22", residence="eu"), TODAY)
    assert rules.verdict(in_italy) == "not_met" and len(in_italy) == 2
    no_host = rules.findings(rules.Answers(**{**MET.__dict__, "host": "no"}), TODAY)
    assert rules.verdict(no_host) == "met"  # a host to find is a note, not a condition on the person
    assert "check_host_no" in {f.string for f in no_host}
    unsure = rules.findings(rules.Answers(**{**MET.__dict__, "work": "unknown"}), TODAY)
    assert rules.verdict(unsure) == "unknown"


def test_timeline_and_passport_from_a_start_date() -> None:
    plan = rules.timeline(date(2027, 9, 1), TODAY)
    assert plan.visa_by == date(2027, 5, 11) and plan.arrive_from == date(2027, 8, 9) and not plan.too_soon
    assert rules.timeline(date(2027, 1, 10), TODAY).too_soon
    check = rules.passport_check(date(2028, 1, 1), date(2027, 9, 1), 12)
    assert (check.stay_end, check.needed, check.valid) == (date(2028, 9, 1), date(2028, 12, 1), False)
    assert rules.passport_check(date(2028, 12, 1), date(2027, 9, 1), 12).valid
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_visa_office_by_home_region() -> None:
    assert rules.visa_office("MA", "Tanger") == "check_office_casablanca"
    assert rules.visa_office("MA", "Beni Mellal") == "check_office_casablanca"
    assert rules.visa_office("MA", "Rabat") == "check_office_rabat"
    assert rules.visa_office("MA", None) == "check_office_morocco"
    assert rules.visa_office("TN", "Sfax") == "check_office_tunis"
    assert rules.visa_office("other", None) == "check_office_other"


def test_every_rule_cites_a_known_source() -> None:
    table = rules.load_sources()
    cited = {s for a in _answer_grid() for f in rules.findings(a, TODAY) for s in f.sources}
    cited |= set(rules.CHECKLIST_SOURCES) | {s for ids in rules.OFFICE_SOURCES.values() for s in ids}
    assert cited <= set(table.sources)
    assert table.checked <= table.recheck_by


def _answer_grid() -> list[rules.Answers]:
    grid = []
    for age in ("16", "30"):
        for residence in ("MA", "eu", "other"):
            for path in ("secondary", "degree", "other"):
                for obtained, region in (("2026", "lombardia"), ("2024", "lombardia"), ("2025", "piemonte")):
                    for work in ("skilled", "elementary", "unknown"):
                        for host in ("yes", "no"):
                            answers = (age, residence, path, obtained, region, work, host, "none")
                            grid.append(rules.Answers(*answers))
    return grid


@pytest.mark.parametrize("language", ["fr", "ar", "en", "it", "ary", "aeb"])
def test_every_outcome_text_cites_its_source_and_the_checked_date(language: str) -> None:
    knowledge, _ = loader.load()
    clock = lambda: datetime(2026, 11, 22, tzinfo=timezone.utc)  # noqa: E731
    deps = ActionDeps(knowledge, None, clock, {})  # type: ignore[arg-type]
    renderer = Renderer(knowledge, clock)
    checked = renderer.date(deps.eligibility_sources.checked, language)
    for answers in _answer_grid()[::7]:
        text = renderer.findings(findings_payload(deps, answers), language)
        lines = text.split("\n\n")
        for line in lines[:-2]:
            assert re.search(r"\((.+): https?://\S+\)$", line), line
        assert checked in lines[-1]


def _check_texts() -> list[tuple[str, str, str]]:
    texts = []
    for path in sorted(STRINGS.glob("*.yml")):
        for key, text in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            if CHECK_KEYS.match(key):
                texts.append((path.stem, key, str(text)))
    return texts


def test_the_check_has_texts_in_every_reply_language() -> None:
    languages = {language for language, _, _ in _check_texts()}
    assert languages == {"fr", "ar", "en", "it", "ary", "aeb"}


@pytest.mark.parametrize("claim", UNVERIFIED)
def test_no_text_of_the_check_states_an_unverified_point(claim: str) -> None:
    pattern = re.compile(UNVERIFIED[claim], re.I)
    said = [f"{lang} {key}" for lang, key, text in _check_texts() if pattern.search(text)]
    assert said == [], f"{claim}: {said}"


def test_the_scan_catches_an_unverified_claim() -> None:
    assert re.search(UNVERIFIED["provider or fee of a visa centre"], "book with AVS for 68.300 TND", re.I)
    assert re.search(UNVERIFIED["SSN rate for trainees"], "you pay 700 a year", re.I)
    assert re.search(UNVERIFIED["a promise of a visa"], "You will get a visa", re.I)
    assert re.search(UNVERIFIED["an open call"], "the call is open until May", re.I)
