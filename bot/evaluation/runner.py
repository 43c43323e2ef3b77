"""``mentor eval``: load what the evaluation needs and print its tables."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.settings import Settings

logger = logging.getLogger(__name__)


def run(settings: Settings, what: str, file: str | None) -> int:
    """Print the NLU (both held-out sets) or language-identification evaluation; 0 when it ran."""
    if what == "langid":
        return _langid(settings, Path(file) if file else None)
    from rasa.core.agent import Agent

    from bot.evaluation import nlu

    agent = Agent.load(settings.rasa_model)
    intents = nlu.domain_intents()
    for name, folder in nlu.HELDOUT_SETS.items():
        rows, left_out = nlu.answerable(nlu.read_heldout(folder), intents)
        note = f" ({left_out} rows left out: their intent is not in the domain yet)" if left_out else ""
        sys.stdout.write(f"## Held-out set `{name}` ({folder.name}){note}\n\n")
        sys.stdout.write(nlu.report(nlu.predict(agent, rows)) + "\n\n")
    return 0


def _langid(settings: Settings, file: Path | None) -> int:
    from bot.evaluation import langid
    from nlu.language.layer import LanguageLayer

    path = file or langid.DEFAULT_FILE
    if not path.exists():
        sys.stdout.write(f"skipped: {path} is not there (it comes with ../shared, beside the repository)\n")
        return 0
    layer = LanguageLayer.load(settings.langid_model)
    sys.stdout.write(langid.report(langid.score(layer, langid.read_rows(path))) + "\n")
    return 0
