"""Toggl's workspace data export: a zip of JSON files per workspace, objects spelled as the
v9 API spells them (the service's own wire code). Like Toggl's, it holds no time entries.

Entries in the zip carry a fixed date, so the same data gives the same bytes."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.runtime import Runtime
from trackgate.service import team_wire, wire
from trackgate.service.task_views import render_tasks
from trackgate.service.tracked import task_counts, tracked_seconds
from trackgate.storage.models import (
    Client,
    OrganizationMember,
    Project,
    ProjectUser,
    Tag,
    Task,
    TimeEntry,
    User,
    Workspace,
    WorkspaceMember,
)

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def zip_name(workspace_id: int) -> str:
    return f"workspace-{workspace_id}.zip"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def workspace_files(session: Session, workspace: Workspace) -> dict[str, Any]:
    """File name -> content for one workspace, as Toggl's export lays them out."""
    wid = workspace.id
    clients = session.scalars(
        select(Client)
        .where(Client.workspace_id == wid, Client.server_deleted_at.is_(None))
        .order_by(Client.id)
    ).all()
    projects = session.scalars(
        select(Project)
        .where(Project.workspace_id == wid, Project.server_deleted_at.is_(None))
        .order_by(Project.id)
    ).all()
    ids = [p.id for p in projects]
    counts = task_counts(session, ids)
    seconds = tracked_seconds(session, TimeEntry.project_id, ids)
    tags = session.scalars(
        select(Tag).where(Tag.workspace_id == wid, Tag.deleted_at.is_(None)).order_by(Tag.id)
    ).all()
    members = session.execute(
        select(User, WorkspaceMember)
        .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
        .where(WorkspaceMember.workspace_id == wid)
        .order_by(User.id)
    ).all()
    org_admins = set(
        session.scalars(
            select(OrganizationMember.user_id).where(
                OrganizationMember.organization_id == workspace.organization_id,
                OrganizationMember.admin.is_(True),
            )
        )
    )
    files: dict[str, Any] = {
        "clients.json": [wire.client(c) for c in clients],
        "projects.json": [
            wire.project(p, tasks_count=counts.get(p.id, 0), actual_seconds=seconds.get(p.id, 0))
            for p in projects
        ],
        "tags.json": [wire.tag(t) for t in tags],
        "workspace_users.json": [
            team_wire.workspace_user(u, m, u.id in org_admins) for u, m in members
        ],
    }
    for project in projects:
        people = session.scalars(
            select(ProjectUser).where(ProjectUser.project_id == project.id).order_by(ProjectUser.id)
        ).all()
        if people:
            files[f"projects_users/{project.id}.json"] = [team_wire.project_user(u) for u in people]
        tasks = session.scalars(
            select(Task)
            .where(Task.project_id == project.id, Task.server_deleted_at.is_(None))
            .order_by(Task.id)
        ).all()
        if tasks:
            files[f"tasks/{project.id}.json"] = render_tasks(session, tasks)
    return files


def export_zips(runtime: Runtime, out: Path) -> dict[str, Any]:
    """Write ``out/workspace-<id>.zip`` for every workspace; what was written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[dict[str, Any]] = []
    with runtime.db.read() as session:
        for workspace in session.scalars(select(Workspace).order_by(Workspace.id)).all():
            files = workspace_files(session, workspace)
            path = out / zip_name(workspace.id)
            partial = path.with_name(path.name + ".partial")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, content in files.items():
                    info = zipfile.ZipInfo(name, FIXED_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, _json(content))
            os.replace(partial, path)
            written.append(
                {"file": str(path), "workspace_id": workspace.id, "name": workspace.name,
                 "files": len(files)}
            )  # fmt: skip
    return {"format": "zip", "files": written}
