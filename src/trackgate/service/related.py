"""Listings of a user's clients, projects, tags and tasks across workspaces.

Used by ``/me/clients`` and kin and by ``/me?with_related_data=true``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import wire
from trackgate.storage.models import Client, Project, ProjectPin, Tag, Task
from trackgate.timefmt import read_stamp


def clients_json(session: Session, wids: list[int], since: datetime | None) -> list[wire.Json]:
    query = select(Client).where(Client.workspace_id.in_(wids), Client.server_deleted_at.is_(None))
    if since is not None:
        query = query.where(Client.at >= since)
    return [wire.client(c) for c in session.scalars(query.order_by(Client.name, Client.id))]


def projects_json(
    session: Session, user_id: int, wids: list[int], since: datetime | None
) -> list[wire.Json]:
    query = select(Project).where(
        Project.workspace_id.in_(wids), Project.server_deleted_at.is_(None)
    )
    if since is not None:
        query = query.where(Project.at >= since)
    pins = set(session.scalars(select(ProjectPin.project_id).where(ProjectPin.user_id == user_id)))
    return [
        wire.project(p, pinned=p.id in pins)
        for p in session.scalars(query.order_by(Project.name, Project.id))
    ]


def tags_json(session: Session, wids: list[int], since: datetime | None) -> list[wire.Json]:
    query = select(Tag).where(Tag.workspace_id.in_(wids), Tag.deleted_at.is_(None))
    if since is not None:
        query = query.where(Tag.at >= since)
    return [wire.tag(t) for t in session.scalars(query.order_by(Tag.name, Tag.id))]


def tasks_json(session: Session, wids: list[int], since: datetime | None) -> list[wire.Json]:
    query = select(Task).where(Task.workspace_id.in_(wids), Task.server_deleted_at.is_(None))
    if since is not None:
        query = query.where(Task.at >= since)
    return [
        {
            "id": t.id,
            "name": t.name,
            "workspace_id": t.workspace_id,
            "project_id": t.project_id,
            "user_id": t.user_id,
            "recurring": False,
            "active": t.active,
            "at": read_stamp(t.at),
            "server_deleted_at": None,
            "estimated_seconds": t.estimated_seconds,
            "tracked_seconds": 0,
            "rate": t.rate,
            "rate_last_updated": None,
            "toggl_accounts_id": None,
            "integration_provider": None,
            "integration_ext_id": None,
            "integration_ext_type": None,
            "permissions": None,
        }
        for t in session.scalars(query.order_by(Task.name, Task.id))
    ]
