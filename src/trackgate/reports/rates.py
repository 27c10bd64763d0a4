"""Which hourly rate bills an entry, in Toggl's order: task, project user, project, workspace
user, workspace -- the first one set wins.

The rate is a SQL expression so that amounts are summed by the database. Task and project
rates are columns of today's schema; a report covers one workspace, whose rate (and currency)
is read once and enters the expression as a value, sparing a join per entry.

Project users and workspace users have no rate column yet: :func:`project_user_rate` and
:func:`workspace_user_rate` are the seams where those look-ups go once their tables exist;
until then they read nothing (SQL NULL), so the precedence falls through to the next rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, String, cast, func, literal, null
from sqlalchemy.sql.elements import ColumnElement

from trackgate.storage.models import Project, Task, TimeEntry, Workspace


@dataclass(frozen=True)
class WorkspaceDefaults:
    """The workspace's own rate (null when unset) and currency."""

    hourly_rate: float | None
    currency: str

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspaceDefaults:
        return cls(workspace.default_hourly_rate, workspace.default_currency or "USD")


def project_user_rate(entry: type[TimeEntry] = TimeEntry) -> ColumnElement[float | None]:
    """The entry's user's rate on its project. Seam: reads nothing yet (NULL)."""
    return cast(null(), Float)


def workspace_user_rate(entry: type[TimeEntry] = TimeEntry) -> ColumnElement[float | None]:
    """The entry's user's rate in its workspace. Seam: reads nothing yet (NULL)."""
    return cast(null(), Float)


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
