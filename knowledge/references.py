"""Cross-references: every id that the domain, the stories, the code and the calls use must be defined."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from knowledge import loader
from knowledge.problems import Problem
from knowledge.topics import OUTCOMES, TOPIC_BY_INTENT, TOPICS

ROOT = loader.KNOWLEDGE_DIR.parent
_STRING_USE = re.compile(r"""(?:say\.string|intent_button|command_button)\(\s*"([\w.]+)\"""")
_KNOWN_INTENTS = set(TOPIC_BY_INTENT) | set(OUTCOMES) | {"followup"}


def check_references(root: Path = ROOT) -> list[Problem]:
    """Problems with ids used in domain.yml, stories/, the actions' code and calls.yml."""
    knowledge, _ = loader.load(root / "knowledge")
    problems: list[Problem] = []
    domain_path = root / "domain.yml"
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    intents = set(domain.get("intents") or ())
    for intent in sorted(intents):
        topic = TOPIC_BY_INTENT.get(intent)
        if topic and topic not in knowledge.entries:
            problems.append(
                Problem(domain_path, intent, f"intent answers topic {topic!r}, which has no entry")
            )
        if intent not in _KNOWN_INTENTS:
            problems.append(Problem(domain_path, intent, "intent maps to no topic id or outcome"))
    for topic in TOPICS:
        if topic.replace(".", "_", 1) not in intents:
            problems.append(Problem(domain_path, topic, "topic has no intent in the domain"))
    for path in sorted((root / "stories").glob("*.yml")):
        for intent in sorted(set(re.findall(r"^\s*- intent: (\w+)", path.read_text(encoding="utf-8"), re.M))):
            if intent not in intents and intent != "nlu_fallback":
                problems.append(Problem(path, intent, "intent used in a story is not in the domain"))
    fr_strings = knowledge.strings.get("fr", {})
    for path in sorted([*(root / "bot" / "actions").glob("*.py"), *(root / "bot" / "core").glob("*.py")]):
        for key in sorted(set(_STRING_USE.findall(path.read_text(encoding="utf-8")))):
            if key not in fr_strings:
                problems.append(Problem(path, key, "string key used by an action is not defined"))
    for call in knowledge.calls:
        if f"zone.{call.timezone}" not in fr_strings:
            problems.append(
                Problem(root / "knowledge" / "calls.yml", call.id, f"no string zone.{call.timezone}")
            )
    return problems
