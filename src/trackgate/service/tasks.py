"""What a task may be, and how it changes. Tasks live under a project; a task's name is
unique within its project. Deleting a task keeps its time entries, without the task.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service.errors import BadRequest, NotFound
from trackgate.service.naming import MAX_NAME_BYTES, checked_name, lock_workspace
from trackgate.service.payloads import Id, Int64, Payload, Text
from trackgate.storage.models import Project, Task, TimeEntry, WorkspaceMember
from trackgate.storage.types import utcnow

NOT_FOUND = "Task not found"
Seconds = Annotated[Int64, Field(ge=0)]


class TaskPayload(Payload):
    name: Text | None = None
    active: StrictBool | None = None
    estimated_seconds: Seconds | None = None
    user_id: Id | None = None


def get(session: Session, project: Project, task_id: int) -> Task:
    found = session.get(Task, task_id)
    if found is None or found.project_id != project.id or found.server_deleted_at is not None:
        raise NotFound(NOT_FOUND)
    return found


def _name(raw: str | None) -> str:
    return checked_name(
        raw,
        blank="Task name can't be blank",
        too_long=f"Task name must not be longer than {MAX_NAME_BYTES} bytes",
    )


def _check_unique(session: Session, project: Project, name: str, own_id: int | None) -> None:
    lock_workspace(session, project.workspace_id)
    same = session.scalar(
        select(Task.id).where(
            Task.project_id == project.id, Task.name == name, Task.server_deleted_at.is_(None)
        )
    )
    if same is not None and same != own_id:
        raise BadRequest("A task with this name already exists in the project")


def _assignee(session: Session, workspace_id: int, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    member = session.get(WorkspaceMember, (workspace_id, user_id))
    if member is None or not member.active:
        raise BadRequest(f"User {user_id} is not a member of the workspace")
    return user_id


def _apply(session: Session, project: Project, task: Task, p: TaskPayload) -> None:
    if p.sent("name"):
        task.name = _name(p.name)
        _check_unique(session, project, task.name, task.id)
    if p.sent("active"):
        if p.active is None:
            raise BadRequest("active cannot be null")
        task.active = p.active
    if p.sent("estimated_seconds"):
        task.estimated_seconds = p.estimated_seconds
    if p.sent("user_id"):
        task.user_id = _assignee(session, project.workspace_id, p.user_id)


def create(session: Session, project: Project, p: TaskPayload) -> Task:
    _name(p.name)  # required on create
    now = utcnow()
    task = Task(
        workspace_id=project.workspace_id,
        project_id=project.id,
        name="",
        active=True,
        created_at=now,
        at=now,
    )
    _apply(session, project, task, p)
    session.add(task)
    session.flush()
    return task


def update(session: Session, project: Project, task: Task, p: TaskPayload) -> Task:
    """Partial update: only what was sent changes; ``at`` moves either way."""
    _apply(session, project, task, p)
    task.at = utcnow()
    session.flush()
    return task


def delete(session: Session, task: Task) -> None:
    """Soft-delete the task; its entries keep their project and lose the task."""
    now = utcnow()
    entries = session.scalars(
        select(TimeEntry).where(TimeEntry.task_id == task.id, TimeEntry.server_deleted_at.is_(None))
    ).all()
    for entry in entries:
        entry.task_id = None
        entry.at = now
    task.server_deleted_at = now
    task.at = now
    session.flush()
