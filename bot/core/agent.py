"""The Rasa agent, with custom actions run in-process and the tracker in the bot's database."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.constants import SELECTIVE_DOMAIN
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.orm import sessionmaker

from bot import logs
from bot.errors import ModelMissingError
from bot.storage.db import engine_options, tune_sqlite


class InProcessActions(EndpointConfig):
    """An action endpoint whose ``request`` hands Rasa's payload to a rasa_sdk executor, not to HTTP."""

    def __init__(self, actions: Iterable[Action]) -> None:
        super().__init__(url="in-process://actions", **{SELECTIVE_DOMAIN: True})
        self._executor = ActionExecutor()
        for action in actions:
            self._executor.register_action(action)

    async def request(self, method: str = "post", subpath: str | None = None, **kwargs: Any) -> Any:
        """Run the action named in ``kwargs['json']`` and return its events and responses."""
        return await self._executor.run(kwargs["json"])


_RESPONSE_SCHEMA = RemoteAction.action_response_format_spec()
_RESPONSE_VALIDATOR = validator_for(_RESPONSE_SCHEMA)(_RESPONSE_SCHEMA)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action's result, with the schema compiled once.

    Rasa 3.6 calls ``jsonschema.validate`` for every custom action, which re-checks the schema itself each
    time: about half of a turn's time. The result is still validated, against the same schema.
    """
    _RESPONSE_VALIDATOR.validate(result)
    return True


def load_agent(model_path: Path, database_url: str, actions: Iterable[Action]) -> Agent:
    """Load the trained model with the SQL tracker store and in-process actions."""
    if not model_path.exists():
        raise ModelMissingError(f"no trained model at {model_path}: run `mentor train`")
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    tracker_store = SQLTrackerStore(host=database_url)
    options = engine_options(database_url)
    if options:  # Rasa's own engine gets the same pooling as ours
        tracker_store.engine.dispose()
        tracker_store.engine = sqlalchemy.create_engine(database_url, **options)
        tracker_store.sessionmaker = sessionmaker(bind=tracker_store.engine)
    tune_sqlite(tracker_store.engine)  # and the same pragmas
    agent = Agent.load(model_path, tracker_store=tracker_store, action_endpoint=InProcessActions(actions))
    logs.reapply()  # loading the model imports numpy.distutils, which resets the root logger to WARNING
    return agent
