"""The log filter: what reaches a handler has no token, secret or phone number, from any logger."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import logs

TOKEN = "7654321098:AAH-4bCdEfGhIjKlMnOpQrStUvWxYz_0123"
SECRET = "webhook-s3cret-value"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose records go through a handler with the filter, as ``logs.configure`` sets it up."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.Redact([SECRET]))
    logger = logging.getLogger("tests.redact.any_library")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_tokens_in_bot_api_urls_and_graph_api_parameters_are_hidden(captured) -> None:
    logger, stream = captured
    logger.debug("POST https://api.telegram.org/bot%s/sendMessage 200", TOKEN)
    logger.info("GET https://graph.facebook.com/v21.0/123/messages?access_token=EAAGm0PX4ZCpsBA&x=1")
    logger.debug("headers {'Authorization': 'Bearer EAAGm0PX4ZCpsBAZD', 'secret_token': 'abc123def'}")
    logger.warning("token is %s", TOKEN)
    text = stream.getvalue()
    for leaked in (TOKEN, TOKEN.split(":")[1], "EAAGm0PX4ZCpsBA", "abc123def"):
        assert leaked not in text
    assert "sendMessage 200" in text and "&x=1" in text


def test_configured_secrets_and_phone_numbers_are_hidden_dates_are_not(captured) -> None:
    logger, stream = captured
    logger.info("secret header %r did not match", SECRET)
    logger.info("call +212 661 734 905 or 0021698765432 or (+39) 333.123.4567")
    logger.info("due 2026-12-01 22:15, 3 sent, confidence=0.97, user=ab12cd34ef56")
    text = stream.getvalue()
    assert SECRET not in text
    for number in ("661 734 905", "0021698765432", "333.123.4567", "98765432"):
        assert number not in text
    assert "due 2026-12-01 22:15, 3 sent, confidence=0.97, user=ab12cd34ef56" in text


def test_tracebacks_are_redacted_too(captured) -> None:
    logger, stream = captured
    try:
        raise RuntimeError(f"connect failed: https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError:
        logger.exception("polling failed for +212661734905")
    text = stream.getvalue()
    assert "RuntimeError" in text and "Traceback" in text
    assert TOKEN not in text and "212661734905" not in text


def test_chatty_libraries_stay_at_warning_at_debug() -> None:
    logs.configure("DEBUG", [SECRET])
    for name in (
        "telegram.ext.Updater",
        "httpx",
        "httpcore",
        "aiohttp.access",
        "apscheduler.scheduler",
        "sqlalchemy.engine",
        "rasa.core.processor",
        "uvicorn.access",
        "starlette",
        "pywa",
    ):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    assert logging.getLogger("bot.core.conversation").isEnabledFor(logging.DEBUG)
    logging.getLogger().setLevel(logging.WARNING)  # what numpy.distutils does when the model loads
    assert logging.getLogger("bot.core.conversation").isEnabledFor(logging.DEBUG)
    logs.reapply()
    assert logging.getLogger().level == logging.DEBUG
