"""Reminder plans: ``scheduler/plans/*.yml``, steps counted from a cohort's named dates.

A step says when (``date``, ``offset`` such as ``-7d``, ``at`` a local time of day), what (``message``, a
knowledge string written in every reply language), optional ``quick_replies`` (a string key for the label and
the core command the button runs) and an optional ``whatsapp_template`` for use outside WhatsApp's 24-hour
window. A plan whose steps happen in Italy says ``timezone: Europe/Rome``: its times are then Italian time,
whatever the person's home zone. ``load`` reports every problem with its file and step id.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from bot.core.messages import COMMANDS
from bot.storage.cohorts import COHORT_DATES, DERIVED_DATES
from knowledge.problems import Problem
from scheduler.timing import parse_clock, zone

PLANS_DIR = Path(__file__).resolve().parent / "plans"
_OFFSET = re.compile(r"([+-]?)(\d{1,4})d")
_STEP_ID = re.compile(r"[a-z0-9_]{1,40}")


@dataclass(frozen=True)
class QuickReply:
    """A button under a reminder: its label's string key and the core command it runs."""

    label: str
    command: str


@dataclass(frozen=True)
class Step:
    """One reminder of a plan."""

    id: str
    date: str
    offset_days: int
    at: time
    message: str
    quick_replies: tuple[QuickReply, ...] = ()
    whatsapp_template: str | None = None


@dataclass(frozen=True)
class Plan:
    """A named list of steps."""

    name: str
    description: str
    steps: tuple[Step, ...]
    timezone: str | None = None


def load(folder: Path = PLANS_DIR) -> tuple[list[Plan], list[Problem]]:
    """Every plan in ``folder``, and every problem found in them."""
    plans: list[Plan] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")):
        plan = _load_plan(path, problems)
        if plan is not None:
            plans.append(plan)
    return plans, problems


def _load_plan(path: Path, problems: list[Problem]) -> Plan | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(Problem(path, path.stem, f"not valid YAML: {str(error).splitlines()[0]}"))
        return None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        problems.append(Problem(path, path.stem, "needs a `steps:` list"))
        return None
    steps: list[Step] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["steps"], start=1):
        step_id = str(raw.get("id", f"step {number}")) if isinstance(raw, dict) else f"step {number}"
        where = f"{path.stem}.{step_id}"
        before = len(problems)
        step = _step(raw, where, path, problems)
        if step is not None and step.id in seen:
            problems.append(Problem(path, where, "the same step id twice"))
        elif step is not None and len(problems) == before:
            seen.add(step.id)
            steps.append(step)
    timezone = data.get("timezone")
    if timezone is not None:
        try:
            zone(str(timezone))
        except ValueError as error:
            problems.append(Problem(path, path.stem, f"`timezone`: {error}"))
            timezone = None
    return Plan(path.stem, str(data.get("description", "")), tuple(steps), timezone and str(timezone))


def _step(raw: Any, where: str, path: Path, problems: list[Problem]) -> Step | None:
    def problem(text: str) -> None:
        problems.append(Problem(path, where, text))

    if not isinstance(raw, dict):
        problem("a step must be a mapping with id, date, offset, at and message")
        return None
    step_id = str(raw.get("id", ""))
    if not _STEP_ID.fullmatch(step_id):
        problem("`id` must be 1-40 of a-z 0-9 _")
    date_name = raw.get("date")
    if date_name not in COHORT_DATES + DERIVED_DATES:
        problem(f"`date` must be one of {', '.join(COHORT_DATES + DERIVED_DATES)}")
    offset = _OFFSET.fullmatch(str(raw.get("offset", "0d")))
    if offset is None:
        problem("`offset` must be days like -7d or +30d")
    try:
        at = parse_clock(str(raw.get("at", "")))
    except ValueError as error:
        problem(f"`at`: {error}")
        at = time()
    if not isinstance(raw.get("message"), str):
        problem("`message` must name a knowledge string")
    replies = []
    for reply in raw.get("quick_replies") or []:
        command = str(reply.get("command", "")) if isinstance(reply, dict) else ""
        if not isinstance(reply, dict) or "label" not in reply or command.split(" ")[0] not in COMMANDS:
            problem(
                f"each quick reply needs a `label` string key and a `command` among {', '.join(COMMANDS)}"
            )
            continue
        replies.append(QuickReply(str(reply["label"]), command))
    if offset is None or not _STEP_ID.fullmatch(step_id) or not isinstance(raw.get("message"), str):
        return None
    days = int(offset.group(2)) * (-1 if offset.group(1) == "-" else 1)
    template = raw.get("whatsapp_template")
    return Step(step_id, str(date_name), days, at, raw["message"], tuple(replies), template and str(template))


def load_checked(defined: Collection[str], folder: Path = PLANS_DIR) -> tuple[list[Plan], list[Problem]]:
    """The plans, with every problem in them and every string they name that ``defined`` lacks."""
    plans, problems = load(folder)
    return plans, problems + check_strings(plans, defined, folder)


def check_strings(plans: list[Plan], defined: Collection[str], folder: Path = PLANS_DIR) -> list[Problem]:
    """Problems with the knowledge strings the plans name (messages and button labels) but nobody wrote."""
    problems = []
    for plan in plans:
        for step in plan.steps:
            for key in (step.message, *(reply.label for reply in step.quick_replies)):
                if key not in defined:
                    problems.append(
                        Problem(folder / f"{plan.name}.yml", f"{plan.name}.{step.id}", f"no string {key!r}")
                    )
    return problems
