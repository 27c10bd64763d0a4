"""Which hourly rate bills an entry, in Toggl's order: task, project user, project, workspace
user, workspace -- the first one set wins.

The rate is a SQL expression so that amounts are summed by the database. Task and project
rates come from the joined rows; the entry's user's rates on its project and in its workspace
are looked up by primary or unique key (a correlated sub-select each); a report covers one
workspace, whose rate (and currency) is read once and enters the expression as a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, String, cast, func, literal, select
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


def project_user_rate(entry: type[TimeEntry] = TimeEntry) -> ColumnElement[float | None]:
    """The entry's user's rate on its project (NULL when none is set)."""
    return (
        select(ProjectUser.rate)
        .where(ProjectUser.project_id == entry.project_id, ProjectUser.user_id == entry.user_id)
        .scalar_subquery()
    )


def workspace_user_rate(entry: type[TimeEntry] = TimeEntry) -> ColumnElement[float | None]:
    """The entry's user's rate in its workspace (NULL when none is set)."""
    return (
        select(WorkspaceMember.rate)
        .where(
            WorkspaceMember.workspace_id == entry.workspace_id,
            WorkspaceMember.user_id == entry.user_id,
        )
        .scalar_subquery()
    )


def hourly_rate(workspace: WorkspaceDefaults) -> ColumnElement[float | None]:
    """The rate billing an entry, for a query joining tasks and projects."""
    return func.coalesce(
        Task.rate,
        project_user_rate(),
        Project.rate,
        workspace_user_rate(),
        cast(literal(workspace.hourly_rate, Float), Float),
    )


def currency(workspace: WorkspaceDefaults) -> ColumnElement[str]:
    """The project's currency, else the workspace's."""
    return func.coalesce(Project.currency, cast(literal(workspace.currency, String), String))
