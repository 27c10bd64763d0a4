"""How the service spells its objects: Toggl's keys, in Toggl's order, null where empty.

Rules about what objects may be live in the domain modules; this module only renders them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from trackgate.storage.models import Client, Project, Tag, Task, TimeEntry, User, Workspace
from trackgate.storage.records import EntryRecord, UserRecord
from trackgate.timefmt import precise_stamp, read_stamp, write_stamp

Json = dict[str, Any]
Style = Literal["read", "write"]
IMAGE_URL = "https://assets.track.toggl.com/images/profile.png"
TOGGL_ROLE = {"admin": "admin", "member": "user"}
"""How Toggl spells our roles: a member is a ``user``."""


def running_duration(start: datetime) -> int:
    """What every read shows as the duration of a running entry: ``-(start epoch)``."""
    return -int(start.timestamp())


def entry_duration(entry: TimeEntry | EntryRecord) -> int:
    if entry.running or entry.stop is None:
        return running_duration(entry.start)
    return int((entry.stop - entry.start).total_seconds())


@dataclass(frozen=True)
class EntryMeta:
    """Names joined in by ``meta=true``."""

    client_name: str | None = None
    project_name: str | None = None
    project_color: str | None = None
    project_active: bool | None = None
    project_billable: bool | None = None
    task_name: str | None = None
    user_name: str | None = None
    user_avatar_url: str | None = None


def time_entry(
    entry: TimeEntry | EntryRecord,
    tag_names: Mapping[int, str],
    *,
    style: Style = "read",
    meta: EntryMeta | None = None,
    created: bool = False,
    sent_tags: bool = True,
    sent_duration: int | None = None,
    sent_stop: bool = False,
) -> Json:
    """A time entry. ``created`` renders the answer to a create, which echoes what was sent."""
    stamp = write_stamp if style == "write" else read_stamp
    tag_ids = [t for t in entry.tag_ids if t in tag_names] if entry.tag_ids else []
    stop: datetime | None = None if entry.running else entry.stop
    duration = entry_duration(entry)
    if created and sent_duration is not None and sent_duration < 0:
        duration = sent_duration
    if created and not entry.running and sent_duration is None and not sent_stop:
        stop = None  # Toggl echoes a create without duration or stop as 0 / null
    body: Json = {
        "id": entry.id,
        "workspace_id": entry.workspace_id,
        "project_id": entry.project_id,
        "task_id": entry.task_id,
        "billable": entry.billable,
        "start": stamp(entry.start),
        "stop": stamp(stop),
        "duration": duration,
        "description": entry.description,
        "tags": ([tag_names[t] for t in tag_ids] if tag_ids else [])
        if (tag_ids or not created or sent_tags)
        else None,
        "tag_ids": tag_ids if (tag_ids or not created or sent_tags) else None,
        "duronly": True,
        "at": precise_stamp(entry.at),
        "server_deleted_at": read_stamp(entry.server_deleted_at),
        "user_id": entry.user_id,
        "uid": entry.user_id,
        "wid": entry.workspace_id,
    }
    if entry.project_id is not None:
        body["pid"] = entry.project_id
    if entry.task_id is not None:
        body["tid"] = entry.task_id
    if meta is not None:
        body.update(
            client_name=meta.client_name,
            project_name=meta.project_name,
            project_color=meta.project_color,
            project_active=meta.project_active,
            project_billable=meta.project_billable,
            user_name=meta.user_name,
            user_avatar_url=meta.user_avatar_url,
        )
        if entry.task_id is not None:
            body["task_name"] = meta.task_name
    return body


def intercom_hash(user_id: int) -> str:
    """Toggl sends a 64-hex string here (the spec: "omitted if empty"), never null; clients
    with strict models parse it as a string. This one is derived from the id alone and is
    no secret of anyone's."""
    return hashlib.sha256(f"trackgate-intercom:{user_id}".encode()).hexdigest()


def me(user: User | UserRecord, api_token: str) -> Json:
    return {
        "id": user.id,
        "api_token": api_token,
        "email": user.email,
        "fullname": user.fullname,
        "timezone": user.timezone,
        "toggl_accounts_id": user.toggl_accounts_id,
        "default_workspace_id": user.default_workspace_id,
        "beginning_of_week": user.beginning_of_week,
        "image_url": IMAGE_URL,
        "created_at": precise_stamp(user.created_at),
        "updated_at": precise_stamp(user.updated_at),
        "openid_email": None,
        "openid_enabled": False,
        "country_id": user.country_id,
        "has_password": user.password_hash is not None,
        "at": precise_stamp(user.at),
        "intercom_hash": intercom_hash(user.id),
        "oauth_providers": [],
        "authorization_updated_at": precise_stamp(user.authorization_updated_at),
    }


WORKSPACE_KEYS = (
    "id, organization_id, name, premium, business_ws, admin, role, suspended_at, "
    "server_deleted_at, default_hourly_rate, rate_last_updated, default_currency, "
    "only_admins_may_create_projects, only_admins_may_create_tags, "
    "only_admins_see_billable_rates, only_admins_see_team_dashboard, "
    "projects_billable_by_default, projects_private_by_default, projects_enforce_billable, "
    "limit_public_project_data, last_modified, reports_collapse, rounding, rounding_minutes, "
    "api_token, at, logo_url, ical_url, ical_enabled, csv_upload, subscription, "
    "hide_start_end_times, working_hours_in_minutes"
).split(", ")
"""The recorded order of ``/workspaces`` and ``/me/workspaces``; the spec's extra fields follow."""


def workspace(
    ws: Workspace, *, admin: bool, role: str, active_project_count: int | None = None
) -> Json:
    values: Json = {
        "suspended_at": None,
        "server_deleted_at": None,
        "rate_last_updated": None,
        "premium": False,
        "business_ws": False,
        "admin": admin,
        "role": TOGGL_ROLE.get(role, role),
        "last_modified": read_stamp(ws.at),
        "api_token": None,
        "at": read_stamp(ws.at),
        "logo_url": "https://assets.track.toggl.com/images/workspace.jpg",
        "ical_url": None,
        "ical_enabled": False,
        "csv_upload": None,
        "subscription": None,
        "hide_start_end_times": False,
        "working_hours_in_minutes": None,
    }
    body: Json = {key: values[key] if key in values else getattr(ws, key) for key in WORKSPACE_KEYS}
    if active_project_count is not None:
        body["active_project_count"] = active_project_count
    body.update(
        max_data_retention_days=None,
        te_constraints={
            "description_present": False,
            "project_present": False,
            "tag_present": False,
            "task_present": False,
            "time_entry_constraints_enabled": False,
        },
        permissions=None,
    )
    return body


def client(c: Client) -> Json:
    """Toggl's client: ``wid`` only (no ``workspace_id``), ``at`` in whole seconds."""
    return {
        "id": c.id,
        "wid": c.workspace_id,
        "archived": c.archived,
        "name": c.name,
        "at": read_stamp(c.at),
        "creator_id": c.creator_id,
        "notes": c.notes,
    }


def tag(t: Tag) -> Json:
    """Toggl's tag: ``workspace_id`` only (no ``wid``), ``at`` with microseconds.

    ``deleted_at`` is added only for a deleted tag, which ``since`` listings show.
    """
    body: Json = {
        "id": t.id,
        "workspace_id": t.workspace_id,
        "name": t.name,
        "at": precise_stamp(t.at),
        "creator_id": t.creator_id,
    }
    if t.deleted_at is not None:
        body["deleted_at"] = precise_stamp(t.deleted_at)
    return body


def project(
    p: Project, *, pinned: bool = False, tasks_count: int = 0, actual_seconds: int = 0
) -> Json:
    """Toggl's project; ``end_date`` appears (after ``start_date``) only when set."""
    estimated_hours = p.estimated_seconds // 3600 if p.estimated_seconds is not None else None
    body: Json = {
        "id": p.id,
        "workspace_id": p.workspace_id,
        "client_id": p.client_id,
        "name": p.name,
        "is_private": p.is_private,
        "active": p.active,
        "at": read_stamp(p.at),
        "created_at": read_stamp(p.created_at),
        "server_deleted_at": read_stamp(p.server_deleted_at),
        "color": p.color,
        "billable": p.billable,
        "template": p.template,
        "auto_estimates": p.auto_estimates,
        "estimated_hours": estimated_hours,
        "estimated_seconds": p.estimated_seconds,
        "rate": p.rate,
        "rate_last_updated": read_stamp(p.rate_last_updated),
        "currency": p.currency,
        "recurring": p.recurring,
        "template_id": p.template_id,
        "recurring_parameters": p.recurring_parameters,
        "fixed_fee": p.fixed_fee,
        "actual_hours": actual_seconds // 3600,
        "actual_seconds": actual_seconds,
        "tasks_count": tasks_count,
        "can_track_time": True,
        "start_date": (p.start_date or p.created_at.date()).isoformat(),
    }
    if p.end_date is not None:
        body["end_date"] = p.end_date.isoformat()
    body.update(
        status=project_status(p),
        wid=p.workspace_id,
        cid=p.client_id,
        is_shared=p.is_shared,
        pinned=pinned,
    )
    return body


def project_status(p: Project) -> str:
    today = datetime.now(UTC).date()
    if p.server_deleted_at is not None:
        return "deleted"
    if not p.active:
        return "archived"
    if p.end_date is not None and p.end_date < today:
        return "ended"
    if p.start_date is not None and p.start_date > today:
        return "upcoming"
    return "active"


@dataclass(frozen=True)
class TaskContext:
    """What a task shows of its project, client and assignee, and the time tracked on it."""

    project: Project | None = None
    client_name: str | None = None
    toggl_accounts_id: str | None = None
    tracked_seconds: int = 0


def task(t: Task, ctx: TaskContext) -> Json:
    """A task with every field of ``models.Task``, null where a value is absent."""
    return {
        "id": t.id,
        "name": t.name,
        "workspace_id": t.workspace_id,
        "project_id": t.project_id,
        "user_id": t.user_id,
        "recurring": False,
        "active": t.active,
        "at": read_stamp(t.at),
        "estimated_seconds": t.estimated_seconds,
        "tracked_seconds": ctx.tracked_seconds,
        "rate": t.rate,
        "rate_last_updated": None,
        "toggl_accounts_id": ctx.toggl_accounts_id,
        "project_name": ctx.project.name if ctx.project else None,
        "project_color": ctx.project.color if ctx.project else None,
        "project_billable": ctx.project.billable if ctx.project else None,
        "client_name": ctx.client_name,
        "integration_provider": None,
        "integration_ext_id": None,
        "integration_ext_type": None,
        "permissions": None,
    }
