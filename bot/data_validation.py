"""Rasa's own checks of the training data: intents, entities, actions, story and rule conflicts."""

from __future__ import annotations

import logging

from bot.training import ROOT, rasa_inputs


def validate() -> bool:
    """Run Rasa's validator over the domain, NLU data and stories; log what it finds."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    files = rasa_inputs()
    importer = TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"),
        domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(p) for p in files[2:]],
    )
    validator = Validator.from_importer(importer)
    logging.getLogger("rasa.validator").setLevel(logging.INFO)
    valid = validator.verify_domain_validity() and validator.verify_nlu(ignore_warnings=False)
    return validator.verify_story_structure(ignore_warnings=False) and valid
