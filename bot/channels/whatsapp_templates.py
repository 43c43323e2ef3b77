"""The templates file (``scheduler/whatsapp_templates.yml``): which approved template carries each proactive
message outside WhatsApp's 24-hour window, in which language, with which parameters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.settings import ROOT

TEMPLATES_FILE = ROOT / "scheduler" / "whatsapp_templates.yml"
MAX_PARAMETER = 1024
BOT_NAME = "Mentor"


@dataclass(frozen=True)
class Template:
    """One template to send: its name, Meta's language code, its category and parameter sources."""

    name: str
    code: str
    category: str
    parameters: tuple[str, ...]

    def values(self, text: str) -> list[str]:
        """The parameters filled for one message (its text, the bot's name)."""
        sources = {"text": " ".join(text.split())[:MAX_PARAMETER], "bot": BOT_NAME}
        return [sources[source] for source in self.parameters]


@dataclass(frozen=True)
class TemplatesFile:
    """The file, read once."""

    languages: dict[str, str]
    own_templates: dict[str, str]
    messages: dict[str, dict[str, object]]

    @classmethod
    def load(cls, path: Path = TEMPLATES_FILE) -> TemplatesFile:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(dict(raw["languages"]), dict(raw.get("own_templates") or {}), dict(raw["messages"]))

    def template(self, message_key: str, language: str) -> Template | None:
        """The template of this message in this reply language (None: the message has none)."""
        spec = self.messages.get(message_key)
        if spec is None or language not in self.languages:
            return None
        name = f"{spec['template']}{self.own_templates.get(language, '')}"
        parameters = tuple(str(p) for p in spec.get("parameters") or ())  # type: ignore[attr-defined]
        return Template(name, self.languages[language], str(spec["category"]), parameters)

    def missing(self, approved: set[tuple[str, str]], languages: Iterable[str]) -> list[tuple[str, str, str]]:
        """(message key, reply language, template) of each message without an approved template there."""
        gaps = []
        for key in sorted(self.messages):
            for language in languages:
                template = self.template(key, language)
                if template is not None and (template.name, template.code) not in approved:
                    gaps.append((key, language, f"{template.name} ({template.code})"))
        return gaps
