"""Project summaries: tracked and billable seconds per project and user, and one project's
totals."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trackgate.reports.filters import IdFilter
from trackgate.reports.source import ReportSource
from trackgate.service.errors import NotFound
from trackgate.service.project_access import can_see
from trackgate.storage.models import Project


@dataclass(frozen=True)
class ProjectUserRow:
    user_id: int
    project_id: int
    tracked_seconds: int
    billable_seconds: int


def project_users_summary(session: Session, source: ReportSource) -> list[ProjectUserRow]:
    r = source.rows()
    query = (
        select(r.c.user_id, r.c.project_id, func.sum(r.c.seconds), func.sum(r.c.billable_seconds))
        .where(r.c.project_id.is_not(None))
        .group_by(r.c.user_id, r.c.project_id)
        .order_by(r.c.project_id, r.c.user_id)
    )
    return [
        ProjectUserRow(int(uid), int(pid), int(tracked or 0), int(billable or 0))
        for uid, pid, tracked, billable in session.execute(query)
    ]


def one_project(session: Session, source: ReportSource, project_id: int) -> ReportSource:
    """The source narrowed to one project of the workspace; 404 if it has no such project, or
    one the member asking may not see (the same answer, so it tells no ids apart)."""
    project = session.get(Project, project_id)
    if (
        project is None
        or project.workspace_id != source.workspace_id
        or (source.only_user_id is not None and not can_see(session, source.only_user_id, project))
    ):
        raise NotFound("Project not found")
    only = IdFilter(frozenset({project_id}))
    return dataclasses.replace(source, filters=dataclasses.replace(source.filters, projects=only))
