"""Reading tasks: listing filters and order, and what each task shows of its project,
client and assignee, with the time tracked on it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import wire
from trackgate.service.errors import BadRequest
from trackgate.service.project_access import visible_clause
from trackgate.service.tracked import tracked_seconds
from trackgate.storage.models import Client, Project, Task, TimeEntry, User

SORT_FIELDS = ("name", "created_at", "at")


@dataclass(frozen=True)
class TaskFilter:
    """``active`` None means both; with a ``viewer``, only tasks of projects they may see."""

    active: bool | None = True
    viewer: int | None = None
    since: datetime | None = None
    project_id: int | None = None
    sort_field: str = "name"
    descending: bool = False


def sort_field(value: str | None) -> str:
    if value is None or value == "":
        return "name"
    if value not in SORT_FIELDS:
        raise BadRequest(f"Invalid sort_field: expected one of {', '.join(SORT_FIELDS)}")
    return value


def _key(field: str) -> Any:
    def key(t: Task) -> Any:
        return (t.name.casefold(), t.id) if field == "name" else (getattr(t, field), t.id)

    return key


def list_tasks(session: Session, workspace_ids: Collection[int], f: TaskFilter) -> list[Task]:
    query = (
        select(Task)
        .join(Project, Project.id == Task.project_id)
        .where(
            Task.workspace_id.in_(list(workspace_ids)),
            Task.server_deleted_at.is_(None),
            Project.server_deleted_at.is_(None),
        )
    )
    if f.active is not None:
        query = query.where(Task.active.is_(f.active))
    if f.viewer is not None:
        query = query.where(visible_clause(f.viewer, workspace_ids))
    if f.since is not None:
        query = query.where(Task.at >= f.since)
    if f.project_id is not None:
        query = query.where(Task.project_id == f.project_id)
    return sorted(session.scalars(query), key=_key(f.sort_field), reverse=f.descending)


def render_tasks(session: Session, tasks: Sequence[Task]) -> list[wire.Json]:
    project_ids = {t.project_id for t in tasks}
    query = select(Project).where(Project.id.in_(project_ids))
    projects = {p.id: p for p in session.scalars(query)}
    client_ids = {p.client_id for p in projects.values() if p.client_id is not None}
    client_rows = session.execute(select(Client.id, Client.name).where(Client.id.in_(client_ids)))
    clients = {cid: name for cid, name in client_rows}
    user_ids = {t.user_id for t in tasks if t.user_id is not None}
    account_rows = session.execute(
        select(User.id, User.toggl_accounts_id).where(User.id.in_(user_ids))
    )
    accounts = {uid: account for uid, account in account_rows}
    seconds = tracked_seconds(session, TimeEntry.task_id, [t.id for t in tasks])
    out = []
    for t in tasks:
        project = projects.get(t.project_id)
        client_id = project.client_id if project else None
        ctx = wire.TaskContext(
            project=project,
            client_name=clients.get(client_id) if client_id is not None else None,
            toggl_accounts_id=accounts.get(t.user_id) if t.user_id is not None else None,
            tracked_seconds=seconds.get(t.id, 0),
        )
        out.append(wire.task(t, ctx))
    return out


def render_task(session: Session, task: Task) -> wire.Json:
    return render_tasks(session, [task])[0]
