"""Bulk edits of projects: JSON-patch operations (``add``/``replace``/``remove`` on a
``/field``) read as partial updates, applied to each project on its own."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from trackgate.service.errors import BadRequest
from trackgate.service.params import INT64_MAX
from trackgate.service.payloads import PatchOp
from trackgate.service.projects import ProjectPayload

MAX_IDS = 100
FIELDS = frozenset(ProjectPayload.model_fields) - {"workspace_id", "name", "client_name"}
FLAGS = frozenset({"active", "is_private", "billable", "auto_estimates", "template"})


def project_ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise BadRequest("Invalid project ids") from exc
    if not ids or any(abs(i) > INT64_MAX for i in ids):
        raise BadRequest("Invalid project ids")
    if len(ids) > MAX_IDS:
        raise BadRequest(f"Too many project ids: at most {MAX_IDS} per request")
    return list(dict.fromkeys(ids))


def payloads_for(ops: list[PatchOp]) -> list[ProjectPayload]:
    """Each operation as one partial update; ``remove`` clears a value (a flag to false)."""
    if not ops:
        raise BadRequest("No patch operations given")
    payloads = []
    for op in ops:
        field = op.path.strip("/")
        if field == "cid":
            field = "client_id"
        if field not in FIELDS:
            raise BadRequest(f"Unsupported patch path: {op.path}")
        value: Any = op.value
        if op.op == "remove":
            value = False if field in FLAGS else None
        try:
            payloads.append(ProjectPayload.model_validate({field: value}))
        except ValidationError as exc:
            raise BadRequest(f"Invalid value for {op.path}") from exc
    return payloads
