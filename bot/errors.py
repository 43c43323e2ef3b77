"""Errors of the application.

MentorError
├── ConfigError        a setting is missing or bad: names the key, stops the start
└── ModelMissingError  no trained model where the settings point: run `mentor train`
"""

from __future__ import annotations


class MentorError(Exception):
    """Base of the application's own errors."""


class ConfigError(MentorError):
    """A setting is missing or has a bad value."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


class ModelMissingError(MentorError):
    """The trained model is not there."""
