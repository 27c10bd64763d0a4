"""Bulk edits of projects and tasks: JSON-patch operations (``add``/``replace``/``remove``
on a ``/field``) read as partial updates, applied to each object on its own."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from pydantic import ValidationError

from trackgate.service.errors import BadRequest
from trackgate.service.params import INT64_MAX
from trackgate.service.payloads import PatchOp, Payload

MAX_IDS = 100
P = TypeVar("P", bound=Payload)


def ids_from(text: str, what: str) -> list[int]:
    """The comma-separated ids of the path, at most ``MAX_IDS``, duplicates dropped."""
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise BadRequest(f"Invalid {what} ids") from exc
    if not ids or any(abs(i) > INT64_MAX for i in ids):
        raise BadRequest(f"Invalid {what} ids")
    if len(ids) > MAX_IDS:
        raise BadRequest(f"Too many {what} ids: at most {MAX_IDS} per request")
    return list(dict.fromkeys(ids))


def payloads_for(
    ops: list[PatchOp],
    model: type[P],
    fields: Collection[str],
    flags: Collection[str] = (),
    aliases: dict[str, str] | None = None,
) -> list[P]:
    """Each operation as one partial update; ``remove`` clears a value (a flag to false)."""
    if not ops:
        raise BadRequest("No patch operations given")
    payloads = []
    for op in ops:
        field = op.path.strip("/")
        field = (aliases or {}).get(field, field)
        if field not in fields:
            raise BadRequest(f"Unsupported patch path: {op.path}")
        value: Any = op.value
        if op.op == "remove":
            value = False if field in flags else None
        try:
            payloads.append(model.model_validate({field: value}))
        except ValidationError as exc:
            raise BadRequest(f"Invalid value for {op.path}") from exc
    return payloads
