"""Listings of a user's clients, projects, tags and tasks across their workspaces.

Used by ``/me/clients`` and kin and by ``/me?with_related_data=true``. With ``since``, each
listing shows what changed since then, deleted projects and tags included.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import tags, wire
from trackgate.service.project_views import ProjectFilter, list_projects, render_projects
from trackgate.service.task_views import TaskFilter, list_tasks, render_tasks
from trackgate.storage.models import Client


def clients_json(session: Session, wids: list[int], since: datetime | None) -> list[wire.Json]:
    """Archived clients included (their ``archived`` says so); deleted ones never."""
    query = select(Client).where(Client.workspace_id.in_(wids), Client.server_deleted_at.is_(None))
    if since is not None:
        query = query.where(Client.at >= since)
    found = sorted(session.scalars(query), key=lambda c: (c.name.casefold(), c.id))
    return [wire.client(c) for c in found]


def projects_json(
    session: Session,
    user_id: int,
    wids: list[int],
    since: datetime | None,
    *,
    include_archived: bool = True,
) -> list[wire.Json]:
    f = ProjectFilter(active=None if include_archived else True, since=since)
    return render_projects(session, user_id, list_projects(session, user_id, wids, f))


def tags_json(session: Session, wids: list[int], since: datetime | None) -> list[wire.Json]:
    return [wire.tag(t) for t in tags.listed(session, wids, since)]


def tasks_json(
    session: Session,
    wids: list[int],
    since: datetime | None,
    *,
    include_inactive: bool = False,
    viewer: int | None = None,
) -> list[wire.Json]:
    f = TaskFilter(active=None if include_inactive else True, since=since, viewer=viewer)
    return render_tasks(session, list_tasks(session, wids, f))
