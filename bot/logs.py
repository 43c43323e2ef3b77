"""Logging set-up for the entry points: our own levels, and third parties kept quiet.

Rasa logs parsed message text at debug level, so its loggers (and structlog) stay at WARNING whatever
the setting: message text never reaches the logs.
"""

from __future__ import annotations

import logging

import structlog

QUIET = ("rasa", "rasa_sdk", "tensorflow", "absl", "sanic", "urllib3", "httpx", "apscheduler", "alembic")


def configure(level: str) -> None:
    """Log to standard error at ``level`` for our code, WARNING for the libraries."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    # Import-time deprecation notices of the Rasa/TensorFlow stack go to a logger nobody reads.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.ERROR)
