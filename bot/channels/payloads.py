"""A platform's JSON checked before anything acts on it: strict pydantic models that ignore the fields the bot
does not read, and one error naming the first field that was wrong (never its value)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError


class StrictModel(BaseModel):
    """The base of every checked payload model."""

    class Config:
        extra = "ignore"
        allow_population_by_field_name = True


class BadPayload(ValueError):
    """The body is not one the bot can read; ``where`` is the path of the first wrong field."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


M = TypeVar("M", bound=StrictModel)


def checked(model: type[M], data: object) -> M:
    """``data`` as ``model``; ``BadPayload`` naming the first wrong field otherwise."""
    if not isinstance(data, dict):
        raise BadPayload(f"body is a JSON {type(data).__name__}, not an object")
    try:
        return model.parse_obj(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise BadPayload(".".join(str(part) for part in first["loc"])) from None
    except RecursionError:
        raise BadPayload("body nests too deep") from None
