"""``mentor eval``: load what the evaluation needs and print its tables."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.settings import Settings

logger = logging.getLogger(__name__)


def run(settings: Settings, what: str, file: str | None, picture: str | None = None) -> int:
    """Print the NLU (held-out) or language-identification evaluation; 0 when it ran."""
    if what == "langid":
        return _langid(settings, Path(file) if file else None)
    import dataclasses

    from bot import app
    from bot.evaluation import answers, confusion, nlu

    built = app.build(dataclasses.replace(settings, database_url="sqlite://"))
    by_set = nlu.predict_all(nlu.handler(built.conversation))
    for name, folder in nlu.HELDOUT_SETS.items():
        if name not in by_set:
            sys.stdout.write(f"{name}: skipped, no held-out files in {folder}\n\n")
    for predictions in by_set.values():
        sys.stdout.write(nlu.report(predictions) + "\n\n")
    rows = answers.read_rows()
    readings = answers.score(built.conversation.agent, app.city_countries(), rows) if rows else []
    sys.stdout.write(answers.report(readings) + "\n\n")
    everything = [p for predictions in by_set.values() for p in predictions]
    written = confusion.write_png(everything, Path(picture) if picture else confusion.DEFAULT_PNG)
    sys.stdout.write(f"confusion matrix: {written}\n")
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
