"""Who may report on what, as Toggl: a workspace admin on every member's entries, a member on
their own; someone outside the workspace gets the service's 403."""

from __future__ import annotations

from sqlalchemy.orm import Session

from trackgate.reports.clock import calendar_for
from trackgate.reports.filters import Filters
from trackgate.reports.rates import WorkspaceDefaults
from trackgate.reports.source import ReportSource
from trackgate.service.access import membership, workspace_for
from trackgate.service.auth import Caller
from trackgate.storage.types import utcnow


def report_source(
    session: Session, caller: Caller, workspace_id: int, filters: Filters
) -> ReportSource:
    workspace = workspace_for(session, caller.user_id, workspace_id)
    member = membership(session, caller.user_id, workspace_id)
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
