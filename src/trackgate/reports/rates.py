"""Which hourly rate bills an entry, in Toggl's order: task, project user, project, workspace
user, workspace -- the first one set wins.

The rate is a SQL expression so that amounts are summed by the database. Task and project
rates come from the joined rows, and so do the entry's user's rates on its project and in its
workspace (outer joins on a unique key, :func:`join_rates`: a row stays one row). A report
names the rate three times per row (rate, amount, whether there is one), so joined columns
rather than correlated sub-selects keep it one look-up each. A report covers one workspace,
whose rate (and currency) is read once and enters the expression as a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Select, String, and_, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from trackgate.storage.models import (
    Project,
    ProjectUser,
    Task,
    TimeEntry,
    Workspace,
    WorkspaceMember,
)


@dataclass(frozen=True)
class WorkspaceDefaults:
    """The workspace's own rate (null when unset) and currency."""

    hourly_rate: float | None
    currency: str

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspaceDefaults:
        return cls(workspace.default_hourly_rate, workspace.default_currency or "USD")


def join_rates(query: Select[Any], entry: type[TimeEntry] = TimeEntry) -> Select[Any]:
    """``query`` (over time entries) joined to the entry's user's rows on its project and in
    its workspace, which :func:`hourly_rate` reads."""
    return query.outerjoin(
        ProjectUser,
        and_(ProjectUser.project_id == entry.project_id, ProjectUser.user_id == entry.user_id),
    ).outerjoin(
        WorkspaceMember,
        and_(
            WorkspaceMember.workspace_id == entry.workspace_id,
            WorkspaceMember.user_id == entry.user_id,
        ),
    )


def hourly_rate(workspace: WorkspaceDefaults) -> ColumnElement[float | None]:
    """The rate billing an entry, for a query joining tasks, projects and :func:`join_rates`."""
    return func.coalesce(
        Task.rate,
        ProjectUser.rate,
        Project.rate,
        WorkspaceMember.rate,
        cast(literal(workspace.hourly_rate, Float), Float),
    )


def currency(workspace: WorkspaceDefaults) -> ColumnElement[str]:
    """The project's currency, else the workspace's."""
    return func.coalesce(Project.currency, cast(literal(workspace.currency, String), String))
