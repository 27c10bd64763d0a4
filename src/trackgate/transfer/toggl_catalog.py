"""Toggl's catalog objects (organizations, workspaces, clients, projects, tags, tasks, project
users) written as local rows, each found again by its Toggl id on the next import.

Shared by the live import and the data-export ZIP; ``wire`` dicts are Toggl's own JSON.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from trackgate.storage.models import (
    Base,
    Client,
    Organization,
    Project,
    ProjectUser,
    Tag,
    Task,
    Workspace,
)
from trackgate.transfer.toggl_refs import Refs
from trackgate.transfer.toggl_summary import Summary

Json = dict[str, Any]
M = TypeVar("M", bound=Base)

CATALOG_KINDS = (
    "organization",
    "workspace",
    "user",
    "client",
    "project",
    "tag",
    "task",
    "project_user",
)


def stamp(value: Any) -> datetime | None:
    """A Toggl instant (ISO 8601, ``Z`` or an offset) as aware UTC; None when absent or odd."""
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found.astimezone(UTC)


def day(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any, limit: int = 255) -> str:
    text = value if isinstance(value, str) else ""
    return "".join(ch for ch in text if ord(ch) >= 32 and ord(ch) != 127)[:limit]


def _color(value: Any) -> str:
    text = _text(value)
    if len(text) == 7 and text.startswith("#"):
        return text.lower()
    return "#0b83d9"


def _times(wire: Json) -> Json:
    """``at`` and ``created_at`` as Toggl said, so a second import writes the same values."""
    out: Json = {}
    at = stamp(wire.get("at"))
    if at is not None:
        out["at"] = at
        out["created_at"] = stamp(wire.get("created_at")) or at
    return out


def upsert(
    session: Session, refs: Refs, kind: str, model: type[M], toggl_id: int, values: Json
) -> tuple[M, bool]:
    """The row ``toggl_id`` became, brought up to ``values``; created (and remembered) when
    this source's object was never imported or its row is gone."""
    local_id = refs.get(kind, toggl_id)
    row = session.get(model, local_id) if local_id is not None else None
    if row is None:
        row = model(**values)
        session.add(row)
        session.flush()
        refs.put(kind, toggl_id, row.id)  # type: ignore[attr-defined]
        return row, True
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row, False


def organization(session: Session, refs: Refs, summary: Summary, wire: Json) -> Organization:
    values = {"name": _text(wire.get("name")) or "Organization", **_times(wire)}
    row, _ = upsert(session, refs, "organization", Organization, int(wire["id"]), values)
    summary.add("organizations")
    return row


def workspace(
    session: Session, refs: Refs, summary: Summary, wire: Json, organization_id: int
) -> Workspace:
    values: Json = {
        "organization_id": organization_id,
        "name": _text(wire.get("name")) or "Workspace",
        **_times(wire),
    }
    currency = _text(wire.get("default_currency"), 8)
    if currency:
        values["default_currency"] = currency
    values["default_hourly_rate"] = _number(wire.get("default_hourly_rate"))
    for flag in (
        "projects_billable_by_default",
        "projects_private_by_default",
        "projects_enforce_billable",
        "only_admins_may_create_projects",
        "only_admins_may_create_tags",
        "only_admins_see_billable_rates",
        "only_admins_see_team_dashboard",
        "reports_collapse",
        "limit_public_project_data",
    ):
        if isinstance(wire.get(flag), bool):
            values[flag] = wire[flag]
    for number in ("rounding", "rounding_minutes"):
        if _int(wire.get(number)) is not None:
            values[number] = wire[number]
    row, _ = upsert(session, refs, "workspace", Workspace, int(wire["id"]), values)
    summary.add("workspaces")
    return row


def client(
    session: Session, refs: Refs, summary: Summary, wire: Json, workspace_id: int, creator: int
) -> Client:
    values: Json = {
        "workspace_id": workspace_id,
        "name": _text(wire.get("name")) or "Client",
        "notes": wire.get("notes") if isinstance(wire.get("notes"), str) else None,
        "archived": bool(wire.get("archived", False)),
        "creator_id": refs.get("user", _int(wire.get("creator_id"))) or creator,
        **_times(wire),
    }
    row, _ = upsert(session, refs, "client", Client, int(wire["id"]), values)
    summary.add("clients")
    return row


def project(
    session: Session, refs: Refs, summary: Summary, wire: Json, workspace_id: int, creator: int
) -> Project:
    seconds = _int(wire.get("estimated_seconds"))
    if seconds is None and _int(wire.get("estimated_hours")) is not None:
        seconds = int(wire["estimated_hours"]) * 3600
    values: Json = {
        "workspace_id": workspace_id,
        "client_id": refs.get("client", _int(wire.get("client_id") or wire.get("cid"))),
        "name": _text(wire.get("name")) or "Project",
        "is_private": bool(wire.get("is_private", True)),
        "active": bool(wire.get("active", True)),
        "color": _color(wire.get("color") or wire.get("hex_color")),
        "billable": bool(wire.get("billable") or False),
        "template": bool(wire.get("template") or False),
        "auto_estimates": bool(wire.get("auto_estimates") or False),
        "estimated_seconds": seconds,
        "rate": _number(wire.get("rate")),
        "rate_last_updated": stamp(wire.get("rate_last_updated")),
        "currency": _text(wire.get("currency"), 8) or None,
        "fixed_fee": _number(wire.get("fixed_fee")),
        "start_date": day(wire.get("start_date")),
        "end_date": day(wire.get("end_date")),
        "creator_id": creator,
        **_times(wire),
    }
    row, _ = upsert(session, refs, "project", Project, int(wire["id"]), values)
    summary.add("projects")
    return row


def tag(
    session: Session, refs: Refs, summary: Summary, wire: Json, workspace_id: int, creator: int
) -> Tag:
    values: Json = {
        "workspace_id": workspace_id,
        "name": _text(wire.get("name")) or "tag",
        "creator_id": refs.get("user", _int(wire.get("creator_id"))) or creator,
        **_times(wire),
    }
    row, _ = upsert(session, refs, "tag", Tag, int(wire["id"]), values)
    summary.add("tags")
    return row


def task(
    session: Session, refs: Refs, summary: Summary, wire: Json, workspace_id: int
) -> Task | None:
    project_id = refs.get("project", _int(wire.get("project_id") or wire.get("pid")))
    if project_id is None:
        return None  # a task of a project the account cannot see
    values: Json = {
        "workspace_id": workspace_id,
        "project_id": project_id,
        "name": _text(wire.get("name")) or "Task",
        "active": bool(wire.get("active", True)),
        "estimated_seconds": _int(wire.get("estimated_seconds")),
        "user_id": refs.get("user", _int(wire.get("user_id") or wire.get("uid"))),
        "rate": _number(wire.get("rate")),
        **_times(wire),
    }
    row, _ = upsert(session, refs, "task", Task, int(wire["id"]), values)
    summary.add("tasks")
    return row


def project_user(
    session: Session, refs: Refs, summary: Summary, wire: Json, workspace_id: int
) -> ProjectUser | None:
    project_id = refs.get("project", _int(wire.get("project_id") or wire.get("pid")))
    user_id = refs.get("user", _int(wire.get("user_id") or wire.get("uid")))
    if project_id is None or user_id is None:
        return None
    from sqlalchemy import select

    existing = session.scalar(
        select(ProjectUser).where(
            ProjectUser.project_id == project_id, ProjectUser.user_id == user_id
        )
    )
    if existing is not None and refs.get("project_user", int(wire["id"])) is None:
        refs.put("project_user", int(wire["id"]), existing.id)
    values: Json = {
        "workspace_id": workspace_id,
        "project_id": project_id,
        "user_id": user_id,
        "manager": bool(wire.get("manager", False)),
        "rate": _number(wire.get("rate")),
        "rate_last_updated": stamp(wire.get("rate_last_updated")),
        "labor_cost": _number(wire.get("labor_cost")),
        **_times(wire),
    }
    row, _ = upsert(session, refs, "project_user", ProjectUser, int(wire["id"]), values)
    summary.add("project_users")
    return row
