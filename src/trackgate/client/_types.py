"""Small shared types: the "not given" sentinel, distinct from None (None clears a field)."""

from __future__ import annotations

from typing import Any, Final, TypeVar

T = TypeVar("T")


class NotGiven:
    """The type of :data:`NOT_GIVEN`: a keyword the caller left out."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


def given(**fields: Any) -> dict[str, Any]:
    """The keywords that were given (None included: it means "clear")."""
    return {k: v for k, v in fields.items() if not isinstance(v, NotGiven)}
