"""Training: the Rasa model and the language model, only when their inputs changed."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.settings import ROOT, Settings
from nlu.language import model as language_model
from nlu.language import training_data

logger = logging.getLogger(__name__)

FINGERPRINT_FILE = "fingerprint.txt"


def rasa_inputs(root: Path = ROOT) -> list[Path]:
    """The files Rasa trains from: NLU data of every variety, lookups, rules and stories."""
    nlu = sorted(p for p in (root / "nlu").glob("*/*.yml") if p.parent.name != "language")
    return [root / "config.yml", root / "domain.yml", *nlu, *sorted((root / "stories").glob("*.yml"))]


def fingerprint(files: list[Path]) -> str:
    """A digest of the names and contents of the training inputs."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train(settings: Settings, force: bool = False) -> bool:
    """Train both models unless their inputs are unchanged; return whether anything was trained."""
    recipe = [Path(language_model.__file__), *sorted((ROOT / "nlu" / "components").glob("*.py"))]
    inputs = sorted(set(rasa_inputs()) | set(training_data.input_files()) | set(recipe))
    current = fingerprint(inputs)
    stamp = settings.model_dir / FINGERPRINT_FILE
    outputs = (settings.rasa_model, settings.langid_model)
    if (
        not force
        and stamp.exists()
        and stamp.read_text().strip() == current
        and all(p.exists() for p in outputs)
    ):
        for path in outputs:
            path.touch()
        return False
    settings.model_dir.mkdir(parents=True, exist_ok=True)
    train_language_model(settings.langid_model)
    train_rasa(settings.model_dir)
    stamp.write_text(current + "\n")
    return True


def train_language_model(path: Path) -> None:
    """Fit the language model on the project's own examples and save it."""
    pairs = training_data.examples()
    language_model.save(language_model.train(pairs), path)
    logger.info("language model trained on %d examples", len(pairs))


def train_rasa(model_dir: Path) -> None:
    """Train the Rasa model into ``model_dir/mentor.tar.gz``."""
    from rasa.model_training import train as rasa_train  # heavy import, only when training

    files = rasa_inputs()
    result = rasa_train(
        domain=str(ROOT / "domain.yml"),
        config=str(ROOT / "config.yml"),
        training_files=[str(p) for p in files[2:]],
        output=str(model_dir),
        fixed_model_name="mentor",
        force_training=True,
    )
    if result.code != 0:
        raise RuntimeError(f"Rasa training failed with code {result.code}")
    logger.info("rasa model trained")
