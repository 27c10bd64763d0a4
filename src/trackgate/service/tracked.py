"""Time tracked on projects and tasks: the sum of their stopped, undeleted entries.

Summed in Python rather than SQL because date arithmetic differs between SQLite and
PostgreSQL; only two columns per entry are read.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from trackgate.storage.models import Task, TimeEntry


def tracked_seconds(
    session: Session, column: InstrumentedAttribute[int | None], ids: Collection[int]
) -> dict[int, int]:
    """Seconds tracked per id of ``column`` (``TimeEntry.project_id`` or ``.task_id``)."""
    if not ids:
        return {}
    rows = session.execute(
        select(column, TimeEntry.start, TimeEntry.stop).where(
            column.in_(list(ids)),
            TimeEntry.running.is_(False),
            TimeEntry.stop.is_not(None),
            TimeEntry.server_deleted_at.is_(None),
        )
    )
    totals: dict[int, int] = {}
    for owner, start, stop in rows:
        if owner is not None and stop is not None:
            totals[owner] = totals.get(owner, 0) + int((stop - start).total_seconds())
    return totals


def task_counts(session: Session, project_ids: Collection[int]) -> dict[int, int]:
    """Active, undeleted tasks per project."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(Task.project_id, func.count(Task.id))
        .where(
            Task.project_id.in_(list(project_ids)),
            Task.active.is_(True),
            Task.server_deleted_at.is_(None),
        )
        .group_by(Task.project_id)
    )
    return {project_id: count for project_id, count in rows}
