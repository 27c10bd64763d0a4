"""Which hourly rate bills an entry, in Toggl's order: task, project user, project, workspace
user, workspace -- the first one set wins.

The rate is a SQL expression so that amounts are summed by the database. Task, project and
workspace rates are columns of today's schema. Project users and workspace users have no rate
column yet: :func:`project_user_rate` and :func:`workspace_user_rate` are the seams where those
look-ups go once their tables exist; until then they read nothing (SQL NULL), so the
precedence falls through to the next rate.
"""

from __future__ import annotations

from sqlalchemy import Float, cast, func, null
from sqlalchemy.sql.elements import ColumnElement

from trackgate.storage.models import Project, Task, TimeEntry, Workspace


def project_user_rate(entry: type[TimeEntry] = TimeEntry) -> ColumnElement[float | None]:
    """The entry's user's rate on its project. Seam: reads nothing yet (NULL)."""
    return cast(null(), Float)


def workspace_user_rate(entry: type[TimeEntry] = TimeEntry) -> ColumnElement[float | None]:
    """The entry's user's rate in its workspace. Seam: reads nothing yet (NULL)."""
    return cast(null(), Float)


def hourly_rate() -> ColumnElement[float | None]:
    """The rate billing an entry, for a query joining tasks, projects and workspaces."""
    return func.coalesce(
        Task.rate,
        project_user_rate(),
        Project.rate,
        workspace_user_rate(),
        Workspace.default_hourly_rate,
    )


def currency() -> ColumnElement[str]:
    """The project's currency, else the workspace's."""
    return func.coalesce(Project.currency, Workspace.default_currency)
