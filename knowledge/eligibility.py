"""The rules of the eligibility check, as pure functions over a person's answers.

Each rule returns a ``Finding``: the condition, whether it is met, not met or cannot be told, the interface
string that says so, and the sources (ids of ``../shared/knowledge/art27-facts.md`` §8, resolved in
``eligibility.yml``) it rests on. Nothing here states what that file marks unverified (its §9): where the
facts stop, the finding is "cannot tell" and says where to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import yaml

Status = Literal["met", "not_met", "unknown", "note"]
DATA_FILE = Path(__file__).resolve().parent / "eligibility.yml"

# Legal maximums after a visa request (facts §3): decision ≤ 90 days, permit request ≤ 8 days after arrival,
# start ≤ 15 days after that request [S5][S6][S12][S13].
VISA_DECISION_DAYS = 90
PERMIT_REQUEST_DAYS = 8
START_AFTER_PERMIT_DAYS = 15
PASSPORT_MARGIN_MONTHS = 3  # passport valid ≥ 3 months beyond the visa (facts §4) [S14][S46]
GENERAL_MAX_MONTHS = 12  # 3 to 12 months, extensions included (facts §3.7) [S5][S10][S17]
LOMBARDIA_MAX_MONTHS = {"secondary": 6, "vocational": 6, "degree": 12}  # facts §1 [S9]
LOMBARDIA_RECENT_MONTHS = 12  # qualification ≤ 12 months before the application (facts §1) [S9][S16]
# Rabat's embassy covers only these districts; the rest of Morocco goes to Casablanca (facts §3.4) [S35].
RABAT_DISTRICTS = ("Rabat", "Sale", "Skhirat", "Temara", "Khemisset", "Tiflet", "Rommani")


@dataclass(frozen=True)
class Finding:
    """One condition's verdict, said by ``string`` (with ``params``), resting on ``sources``."""

    condition: str
    status: Status
    string: str
    sources: tuple[str, ...]
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Answers:
    """What the person answered; ``None`` where they were not asked (the check stopped earlier)."""

    age: str | None = None  # "minor", "adult" or years as digits
    residence: str | None = None  # MA, TN, other (outside the EU), eu (Italy or the EU)
    path: str | None = None  # secondary, vocational, degree, other
    obtained: str | None = None  # YYYY, YYYY-MM or "ongoing"
    region: str | None = None  # lombardia, piemonte, other, unknown
    work: str | None = None  # skilled, elementary, unknown
    host: str | None = None  # yes, no
    italian: str | None = None  # none, basic, good


def is_adult(age: str) -> bool:
    """18 or over: the route needs an adult (Lombardia "maggiorenni"; Toscana lists 18+) [S9][S14]."""
    return age == "adult" or (age.isdigit() and int(age) >= 18)


def age_rule(answers: Answers) -> Finding:
    """Facts §1: the trainee must be an adult [S9][S14]; no upper limit is stated (none was verified)."""
    adult = is_adult(answers.age or "")
    return Finding(
        "age", "met" if adult else "not_met", "check_ok_age" if adult else "check_no_age", ("S9", "S14")
    )


def residence_rule(answers: Answers) -> Finding:
    """Facts §0-§1: for non-EU people resident outside the EU; someone already in Italy follows the ordinary
    rules [S5][S4][S18]."""
    if answers.residence == "eu":
        return Finding("residence", "not_met", "check_no_residence", ("S4", "S18"))
    return Finding("residence", "met", "check_ok_residence", ("S5", "S10"))


def path_rule(answers: Answers) -> Finding:
    """Facts §1: a training path begun at home, which the traineeship completes [S5][S10]."""
    if answers.path in LOMBARDIA_MAX_MONTHS:
        return Finding("path", "met", "check_ok_path", ("S5", "S10"))
    return Finding("path", "unknown", "check_unknown_path", ("S5", "S10"))


def months_since(obtained: str, today: date) -> tuple[int, int] | None:
    """The fewest and most whole months since a qualification given as YYYY or YYYY-MM (None: ongoing)."""
    if obtained == "ongoing":
        return None
    year, _, month = obtained.partition("-")
    if month:
        months = (today.year - int(year)) * 12 + today.month - int(month)
        return months, months
    return max(0, (today.year - int(year) - 1) * 12 + today.month), (
        today.year - int(year)
    ) * 12 + today.month - 1


def timing_rule(answers: Answers, today: date) -> Finding:
    """Facts §1: Lombardia wants the qualification obtained ≤ 12 months before the application [S9][S16];
    the Piemonte text seen shows no such rule, which is not verified, so it is never stated as settled
    [S10]."""
    span = months_since(answers.obtained or "ongoing", today)
    if answers.region == "piemonte":
        if span is not None and span[1] <= LOMBARDIA_RECENT_MONTHS:
            return Finding("timing", "met", "check_ok_timing", ("S9", "S10"))
        return Finding("timing", "unknown", "check_timing_piemonte", ("S10",))
    if span is None:
        return Finding("timing", "unknown", "check_unknown_timing", ("S9", "S16"))
    fewest, most = span
    if most <= LOMBARDIA_RECENT_MONTHS:
        return Finding("timing", "met", "check_ok_timing", ("S9", "S16"))
    if answers.region == "lombardia" and fewest > LOMBARDIA_RECENT_MONTHS:
        return Finding("timing", "not_met", "check_no_timing_lombardia", ("S9", "S16"))
    if answers.region == "lombardia":
        return Finding("timing", "unknown", "check_unknown_timing", ("S9", "S16"))
    return Finding("timing", "unknown", "check_timing_other", ("S9", "S16"))


def work_rule(answers: Answers) -> Finding:
    """Facts §1: not for work that needs no training, elementary or repetitive tasks, or domestic settings
    [S7][S17]."""
    if answers.work == "skilled":
        return Finding("work", "met", "check_ok_work", ("S7", "S17"))
    if answers.work == "elementary":
        return Finding("work", "not_met", "check_no_work", ("S7", "S17"))
    return Finding("work", "unknown", "check_unknown_work", ("S7", "S17"))


def host_note(answers: Answers) -> Finding:
    """Facts §2-§3: a host and a promoter make the project [S8][S12]; without one, how matching works, and
    that MENTOR 2 ended in 2024 [S27][S28]. A note, not a condition on the person."""
    if answers.host == "yes":
        return Finding("host", "note", "check_host_yes", ("S8", "S12"))
    return Finding("host", "note", "check_host_no", ("S12", "S28"))


def italian_note(answers: Answers) -> Finding:
    """Facts §3: Italian was a MENTOR 2 programme criterion (pre-departure, at least A1) [S29], and a module
    of the 2014 guidelines [S6]; not a legal condition of entry."""
    return Finding("italian", "note", "check_italian_note", ("S29", "S6"))


def duration_note(answers: Answers) -> Finding:
    """Facts §1 and §3.7: Lombardia gives 6 months for upper-secondary or VET, 12 for degrees [S9]; otherwise
    3 to 12 months, extensions included [S5][S10][S17]."""
    if answers.region == "lombardia" and answers.path in LOMBARDIA_MAX_MONTHS:
        months = LOMBARDIA_MAX_MONTHS[answers.path]
        return Finding("duration", "note", "check_duration_lombardia", ("S9",), {"months": months})
    return Finding("duration", "note", "check_duration_general", ("S5", "S17"))


def findings(answers: Answers, today: date) -> list[Finding]:
    """Every finding for the answers given, in the order of the questions; a stop ends the list."""
    found = [age_rule(answers)]
    if found[-1].status == "not_met" or answers.residence is None:
        return found
    found.append(residence_rule(answers))
    if found[-1].status == "not_met" or answers.path is None:
        return found
    found.append(path_rule(answers))
    found.append(timing_rule(answers, today))
    found.append(work_rule(answers))
    found.append(host_note(answers))
    found.append(italian_note(answers))
    found.append(duration_note(answers))
    return found


def verdict(found: list[Finding]) -> Status:
    """Not met when any condition is not met; else cannot tell when any is unknown; else met."""
    statuses = {f.status for f in found}
    if "not_met" in statuses:
        return "not_met"
    return "unknown" if "unknown" in statuses else "met"


def stay_months(answers: Answers) -> int:
    """The longest stay the answers allow: the region's maximum where known, else the general maximum."""
    note = duration_note(answers)
    return int(note.params.get("months", GENERAL_MAX_MONTHS))  # type: ignore[call-overload]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


@dataclass(frozen=True)
class Timeline:
    """From a planned start: when to ask for the visa at the latest, and the arrival window."""

    start: date
    visa_by: date
    arrive_from: date
    too_soon: bool


def timeline(start: date, today: date) -> Timeline:
    """The legal maximums added up before the start: visa 90 days, permit 8 days, start 15 days [S12][S13]."""
    after_arrival = PERMIT_REQUEST_DAYS + START_AFTER_PERMIT_DAYS
    visa_by = start - timedelta(days=VISA_DECISION_DAYS + after_arrival)
    return Timeline(start, visa_by, start - timedelta(days=after_arrival), visa_by < today)


def earliest_start(today: date) -> date:
    """The soonest start if the visa were asked for today and every step took its legal maximum."""
    return today + timedelta(days=VISA_DECISION_DAYS + PERMIT_REQUEST_DAYS + START_AFTER_PERMIT_DAYS)


@dataclass(frozen=True)
class PassportCheck:
    """Whether the passport covers the stay plus 3 months; ``renew_by`` is when to have renewed it."""

    stay_end: date
    needed: date
    valid: bool
    renew_by: date


def passport_check(expiry: date, start: date, months: int) -> PassportCheck:
    """Facts §4: the passport must be valid at least 3 months beyond the visa [S14][S46]; the visa is taken to
    last as long as the stay (its exact length is not verified, so the longest stay is assumed)."""
    stay_end = add_months(start, months)
    needed = add_months(stay_end, PASSPORT_MARGIN_MONTHS)
    return PassportCheck(stay_end, needed, expiry >= needed, timeline(start, start).visa_by)


def visa_office(country: str | None, city: str | None) -> str:
    """The string naming the office for a home country and city (facts §3.4) [S35][S38]."""
    if country == "TN":
        return "check_office_tunis"
    if country == "MA" and city:
        return "check_office_rabat" if city in RABAT_DISTRICTS else "check_office_casablanca"
    if country == "MA":
        return "check_office_morocco"
    return "check_office_other"


OFFICE_SOURCES = {
    "check_office_tunis": ("S38",),
    "check_office_rabat": ("S35",),
    "check_office_casablanca": ("S35",),
    "check_office_morocco": ("S35",),
    "check_office_other": ("S40",),
}
# The visa file and the permit kit (facts §4) [S14][S46][S42]; the consulate's current list always wins.
VISA_ITEMS = (
    "form_photo",
    "passport",
    "project",
    "accommodation",
    "means",
    "insurance",
    "travel",
    "training_proof",
)
PERMIT_ITEMS = ("permit_kit",)
CHECKLIST_ITEMS = VISA_ITEMS + PERMIT_ITEMS
CHECKLIST_SOURCES = ("S14", "S42")


@dataclass(frozen=True)
class SourceTable:
    """The sources the rules cite, and when they were last checked against the fact sheet."""

    sources: dict[str, tuple[str, str]]
    checked: date
    recheck_by: date

    def cite(self, ids: tuple[str, ...]) -> list[dict[str, str]]:
        """Title and URL of each id, in order."""
        return [{"title": self.sources[i][0], "url": self.sources[i][1]} for i in ids]


def load_sources(path: Path = DATA_FILE) -> SourceTable:
    """Read ``eligibility.yml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = {key: (value["title"], value["url"]) for key, value in data["sources"].items()}
    return SourceTable(sources, data["checked"], data["recheck_by"])
