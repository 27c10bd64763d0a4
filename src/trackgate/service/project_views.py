"""Reading projects: the listing's filters and order, and the figures computed per reader
(``pinned``, ``tasks_count``, ``actual_seconds``).

Name matching and ordering happen in Python so that case folding is the same on SQLite
(whose ``lower`` is ASCII-only) and PostgreSQL; the database narrows the rows first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import wire
from trackgate.service.errors import BadRequest
from trackgate.service.paging import Page
from trackgate.service.project_access import visible_clause
from trackgate.service.tracked import task_counts, tracked_seconds
from trackgate.storage.models import (
    Client,
    Project,
    ProjectPin,
    TimeEntry,
    Workspace,
    WorkspaceMember,
)

SORT_FIELDS = ("name", "created_at", "at", "client_name", "billable", "active")


@dataclass(frozen=True)
class ProjectFilter:
    """``active`` None means both; ``since`` also brings deleted projects, as changes."""

    active: bool | None = None
    since: datetime | None = None
    billable: bool | None = None
    client_ids: Sequence[int] | None = None
    name: str | None = None
    sort_field: str = "name"
    descending: bool = False
    sort_pinned: bool = False
    page: Page | None = None


def sort_field(value: str | None) -> str:
    if value is None or value == "":
        return "name"
    if value not in SORT_FIELDS:
        raise BadRequest(f"Invalid sort_field: expected one of {', '.join(SORT_FIELDS)}")
    return value


def pins_of(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(ProjectPin.project_id).where(ProjectPin.user_id == user_id)))


def _client_names(session: Session, projects: Sequence[Project]) -> dict[int, str]:
    ids = {p.client_id for p in projects if p.client_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Client.id, Client.name).where(Client.id.in_(ids)))
    return {cid: name for cid, name in rows}


def _sort_key(field: str, names: dict[int, str]) -> Any:
    def key(p: Project) -> Any:
        if field == "name":
            return (p.name.casefold(), p.id)
        if field == "client_name":
            return (names.get(p.client_id or 0, "").casefold(), p.name.casefold(), p.id)
        return (getattr(p, field), p.id)

    return key


def list_projects(
    session: Session, user_id: int, workspace_ids: Collection[int], f: ProjectFilter
) -> list[Project]:
    query = select(Project).where(
        Project.workspace_id.in_(list(workspace_ids)), visible_clause(user_id, workspace_ids)
    )
    if f.since is not None:
        query = query.where(Project.at >= f.since)
    else:
        query = query.where(Project.server_deleted_at.is_(None))
    if f.active is not None:
        query = query.where(Project.active.is_(f.active))
    if f.billable is not None:
        query = query.where(Project.billable.is_(f.billable))
    if f.client_ids is not None:
        query = query.where(Project.client_id.in_(list(f.client_ids)))
    found = list(session.scalars(query))
    if f.name:
        needle = f.name.casefold()
        found = [p for p in found if needle in p.name.casefold()]
    found.sort(key=_sort_key(f.sort_field, _client_names(session, found)), reverse=f.descending)
    if f.sort_pinned:
        pins = pins_of(session, user_id)
        found.sort(key=lambda p: p.id not in pins)  # stable: pinned first, order kept
    return f.page.of(found) if f.page else found


def rates_hidden_in(session: Session, user_id: int, workspace_ids: Collection[int]) -> set[int]:
    """Workspaces whose billable rates the user may not see: those that show rates to admins
    only, where the user is not an admin."""
    if not workspace_ids:
        return set()
    admin_of = select(WorkspaceMember.workspace_id).where(
        WorkspaceMember.user_id == user_id,
        WorkspaceMember.admin.is_(True),
        WorkspaceMember.active.is_(True),
    )
    query = select(Workspace.id).where(
        Workspace.id.in_(list(workspace_ids)),
        Workspace.only_admins_see_billable_rates.is_(True),
        Workspace.id.not_in(admin_of),
    )
    return set(session.scalars(query))


def render_projects(session: Session, user_id: int, projects: Sequence[Project]) -> list[wire.Json]:
    ids = [p.id for p in projects]
    pins = pins_of(session, user_id)
    counts = task_counts(session, ids)
    seconds = tracked_seconds(session, TimeEntry.project_id, ids)
    hidden = rates_hidden_in(session, user_id, {p.workspace_id for p in projects})
    out = []
    for p in projects:
        body = wire.project(
            p,
            pinned=p.id in pins,
            tasks_count=counts.get(p.id, 0),
            actual_seconds=seconds.get(p.id, 0),
        )
        if p.workspace_id in hidden:
            body["rate"] = body["fixed_fee"] = body["currency"] = None
        out.append(body)
    return out


def render_project(session: Session, user_id: int, project: Project) -> wire.Json:
    return render_projects(session, user_id, [project])[0]
