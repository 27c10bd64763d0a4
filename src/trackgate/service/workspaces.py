"""What a workspace's settings may be, and how sent settings are applied."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from trackgate.service.errors import BadRequest
from trackgate.service.payloads import Payload, Text
from trackgate.storage.models import Workspace
from trackgate.storage.types import utcnow

MAX_NAME_BYTES = 140
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]
Rate = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
Rounding = Annotated[StrictInt, Field(ge=-1, le=1)]  # down, nearest, up
RoundingMinutes = Annotated[StrictInt, Field(ge=0, le=1440)]


class WorkspacePayload(Payload):
    name: Text | None = None
    default_currency: Currency | None = None
    default_hourly_rate: Rate | None = None
    rounding: Rounding | None = None
    rounding_minutes: RoundingMinutes | None = None
    projects_billable_by_default: StrictBool | None = None
    projects_private_by_default: StrictBool | None = None
    projects_enforce_billable: StrictBool | None = None
    only_admins_may_create_projects: StrictBool | None = None
    only_admins_may_create_tags: StrictBool | None = None
    only_admins_see_billable_rates: StrictBool | None = None
    only_admins_see_team_dashboard: StrictBool | None = None
    reports_collapse: StrictBool | None = None
    limit_public_project_data: StrictBool | None = None


def apply_changes(ws: Workspace, changes: dict[str, Any]) -> None:
    """Copy sent settings onto the workspace; the name is trimmed and checked."""
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name or len(name.encode()) > MAX_NAME_BYTES:
            raise BadRequest(f"Workspace name must be 1 to {MAX_NAME_BYTES} bytes")
        changes["name"] = name
    for key, value in changes.items():
        if value is not None or key == "default_hourly_rate":
            setattr(ws, key, value)
    ws.at = utcnow()
