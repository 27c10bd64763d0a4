"""Event filters: which entities and actions a subscription asks for, as Toggl spells them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trackgate.service.errors import BadRequest

#: The entities Toggl sends events for; ``project_group`` is listed (Toggl lists it) though
#: the service serves no project groups, so no event of it is ever sent.
ENTITIES = (
    "client",
    "project",
    "project_group",
    "project_user",
    "tag",
    "task",
    "time_entry",
    "workspace",
    "workspace_user",
)
ACTIONS = ("created", "updated", "deleted")
ANY = "*"


def catalogue() -> dict[str, list[str]]:
    """``GET /event_filters``: every entity (and ``*``) with the actions it may be paired with."""
    actions = [ANY, *ACTIONS]
    return {ANY: actions, **{entity: list(actions) for entity in ENTITIES}}


def parsed(raw: Any) -> list[dict[str, str]]:
    """The filters of a request body, checked: a non-empty list of ``{entity, action}``."""
    if not isinstance(raw, list) or not raw:
        raise BadRequest("event_filters: at least one event filter is required")
    out: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("event_filters: each filter is an object with entity and action")
        entity, action = item.get("entity"), item.get("action")
        if not isinstance(entity, str) or (entity != ANY and entity not in ENTITIES):
            raise BadRequest(f"event_filters: unknown entity {str(entity)[:40]!r}")
        if not isinstance(action, str) or (action != ANY and action not in ACTIONS):
            raise BadRequest(f"event_filters: unknown action {str(action)[:40]!r}")
        pair = {"entity": entity, "action": action}
        if pair not in out:
            out.append(pair)
    return out


def matches(filters: Sequence[dict[str, str]], entity: str, action: str) -> bool:
    return any(
        f.get("entity") in (ANY, entity) and f.get("action") in (ANY, action) for f in filters
    )
