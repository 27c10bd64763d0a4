"""Deleting a project, and what becomes of its time entries, tasks and pins; pinning.

By default a project's entries are kept and unassigned: deleting a project never deletes
someone's tracked time unless ``teDeletionMode=delete`` asks for it.
"""

from __future__ import annotations

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trackgate.service import time_entries
from trackgate.service.errors import BadRequest
from trackgate.storage.models import Project, ProjectPin, Task, TimeEntry
from trackgate.storage.types import utcnow

MODES = ("delete", "unassign")


def delete(session: Session, project: Project, mode: str | None) -> None:
    """Soft-delete the project and its tasks; unassign (default) or delete its entries."""
    mode = mode or "unassign"
    if mode not in MODES:
        raise BadRequest("Invalid teDeletionMode: expected delete or unassign")
    now = utcnow()
    entries = session.scalars(
        select(TimeEntry).where(
            TimeEntry.project_id == project.id, TimeEntry.server_deleted_at.is_(None)
        )
    ).all()
    for entry in entries:
        if mode == "delete":
            time_entries.delete(session, entry)
        else:
            entry.project_id = None
            entry.task_id = None
            entry.at = now
    for task in session.scalars(
        select(Task).where(Task.project_id == project.id, Task.server_deleted_at.is_(None))
    ):
        task.server_deleted_at = now
        task.at = now
    session.execute(sql_delete(ProjectPin).where(ProjectPin.project_id == project.id))
    project.server_deleted_at = now
    project.at = now
    session.flush()


def pin(session: Session, user_id: int, project: Project, pinned: bool) -> None:
    """Pin or unpin the project for this user only; doing it twice changes nothing."""
    existing = session.get(ProjectPin, (user_id, project.id))
    if pinned and existing is None:
        try:
            with session.begin_nested():
                session.add(ProjectPin(user_id=user_id, project_id=project.id))
        except IntegrityError:
            pass  # pinned by a concurrent request: the outcome is the same
    elif not pinned and existing is not None:
        session.delete(existing)
    session.flush()
