"""Who may report on what, as Toggl: a workspace admin on every member's entries, a member on
their own; someone outside the workspace gets the service's 403.

A private project a member may not see is, to that member's reports, a project that does not
exist (as in the v9 API): named in ``project_ids`` it matches nothing, even their own past
entries on it, so no report tells its id from a missing one."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.reports.clock import calendar_for
from trackgate.reports.filters import Filters, IdFilter
from trackgate.reports.rates import WorkspaceDefaults
from trackgate.reports.source import ReportSource
from trackgate.service.access import membership, workspace_for
from trackgate.service.auth import Caller
from trackgate.service.project_access import visible_clause
from trackgate.storage.models import Project
from trackgate.storage.types import utcnow


def report_source(
    session: Session, caller: Caller, workspace_id: int, filters: Filters
) -> ReportSource:
    workspace = workspace_for(session, caller.user_id, workspace_id)
    member = membership(session, caller.user_id, workspace_id)
    if not member.admin and filters.projects is not None and filters.projects.ids:
        seen = _visible(session, caller.user_id, workspace_id, filters.projects)
        filters = dataclasses.replace(filters, projects=seen)
    user = caller.user
    return ReportSource(
        workspace_id=workspace_id,
        only_user_id=None if member.admin else caller.user_id,
        filters=filters,
        calendar=calendar_for(user.timezone, user.beginning_of_week),
        now=utcnow(),
        sqlite=caller.runtime.db.is_sqlite,
        workspace=WorkspaceDefaults.of(workspace),
    )


def _visible(session: Session, user_id: int, workspace_id: int, wanted: IdFilter) -> IdFilter:
    """``wanted`` without the projects the user may not see (as if they did not exist)."""
    query = select(Project.id).where(
        Project.id.in_(sorted(wanted.ids)),
        Project.workspace_id == workspace_id,
        visible_clause(user_id, [workspace_id]),
    )
    return IdFilter(frozenset(session.scalars(query)), wanted.include_none)
