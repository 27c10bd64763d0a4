"""What a time entry may be, and how it changes: start, stop, edit, delete.

A user has at most one running entry: starting one stops the other at the same instant.
Writers lock the user's row (PostgreSQL) or hold SQLite's write lock, so concurrent starts
serialise; a partial unique index backs the rule up in the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import project_access
from trackgate.service.errors import BadRequest, Conflict, NotFound
from trackgate.service.payloads import TimeEntryPayload
from trackgate.service.tagging import check_tag_ids, ids_for_names, live_tags
from trackgate.storage.models import Project, Task, TimeEntry, User
from trackgate.storage.records import UserRecord
from trackgate.storage.types import utcnow
from trackgate.timefmt import parse_instant, to_seconds

MAX_DURATION = 999 * 3600
MAX_DESCRIPTION_BYTES = 3000
NOT_FOUND = "Time entry not found"


def lock_user(session: Session, user_id: int) -> None:
    """Serialise this user's timer changes (a no-op on SQLite, whose writes are serial)."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(User.id).where(User.id == user_id).with_for_update())


def now_seconds() -> datetime:
    return to_seconds(utcnow())


def _instant(value: str, name: str) -> datetime:
    try:
        return to_seconds(parse_instant(value))
    except (ValueError, OverflowError) as exc:  # OverflowError: year 0 or 10000 once in UTC
        raise BadRequest(f"Invalid {name} time: {value!r} is not RFC3339") from exc


def _after(start: datetime, seconds: int) -> datetime:
    """``start + seconds``, or a 400 when that leaves the calendar."""
    try:
        return start + timedelta(seconds=seconds)
    except OverflowError as exc:
        raise BadRequest("Stop time is out of range") from exc


def _check_description(text: str | None) -> str | None:
    if text is not None and len(text.encode()) > MAX_DESCRIPTION_BYTES:
        raise BadRequest(f"Description must not be longer than {MAX_DESCRIPTION_BYTES} bytes")
    return text


def _check_duration(seconds: int) -> None:
    if seconds > MAX_DURATION:
        raise BadRequest("Max allowed duration per 1 time entry is 999 hours")


def running_entry(session: Session, user_id: int) -> TimeEntry | None:
    return session.scalar(
        select(TimeEntry).where(
            TimeEntry.user_id == user_id,
            TimeEntry.running.is_(True),
            TimeEntry.server_deleted_at.is_(None),
        )
    )


def stop_running(session: Session, user_id: int, at: datetime) -> None:
    """Stop the running entry as a new one starts; one that ran past the limit stops at the limit
    (Toggl documents no behaviour here; this never stores an entry ``stop`` would refuse)."""
    current = running_entry(session, user_id)
    if current is not None:
        longest = current.start + timedelta(seconds=MAX_DURATION)
        current.stop = min(max(at, current.start), longest)
        current.running = False
        current.at = utcnow()
        session.flush()


def _resolve_project_task(
    session: Session,
    workspace_id: int,
    project_id: int | None,
    task_id: int | None,
    viewer: int,
) -> tuple[int | None, int | None]:
    """The project and task an entry may name: live, in its workspace, and (for a private
    project) one the ``viewer`` belongs to."""
    if task_id is not None:
        task = session.get(Task, task_id)
        if task is None or task.workspace_id != workspace_id or task.server_deleted_at is not None:
            raise BadRequest("Task not found")
        if project_id is None:
            project_id = task.project_id
        elif task.project_id != project_id:
            raise BadRequest("Task does not belong to the project")
    if project_id is not None:
        project = session.get(Project, project_id)
        if (
            project is None
            or project.workspace_id != workspace_id
            or project.server_deleted_at is not None
            or not project_access.can_see(session, viewer, project)
        ):
            raise BadRequest("Invalid project_id")
    return project_id, task_id


@dataclass(frozen=True)
class Span:
    start: datetime
    stop: datetime | None  # None while running


def _span_for_create(p: TimeEntryPayload) -> Span:
    if not p.start:
        raise BadRequest("start: cannot be empty")
    start = _instant(p.start, "start")
    stop = _instant(p.stop, "stop") if p.stop else None
    if p.duration is not None and p.duration < 0:
        return Span(start, None)
    if p.duration is not None:
        _check_duration(p.duration)
        computed = _after(start, p.duration)
        if stop is not None and stop != computed:
            raise BadRequest(
                "Stop time and duration do not match (start + duration must equal stop)"
            )
        return Span(start, computed)
    if stop is not None:
        if stop < start:
            raise BadRequest("Stop time must be after start time")
        _check_duration(int((stop - start).total_seconds()))
        return Span(start, stop)
    return Span(start, start)


def _tags(
    session: Session, p: TimeEntryPayload, workspace_id: int, user_id: int
) -> list[int] | None:
    """The tag ids named by ``tags`` and ``tag_ids`` together, or None if neither was sent."""
    if p.tags is None and p.tag_ids is None:
        return None
    ids = check_tag_ids(session, workspace_id, p.tag_ids or [])
    for extra in ids_for_names(session, workspace_id, p.tags or [], user_id):
        if extra not in ids:
            ids.append(extra)
    return ids


def _billable(session: Session, p: TimeEntryPayload, project_id: int | None) -> bool:
    """As Toggl does: an entry that does not say inherits its project's ``billable``."""
    if p.billable is not None:
        return p.billable
    project = session.get(Project, project_id) if project_id is not None else None
    return bool(project.billable) if project is not None else False


def create(session: Session, user: UserRecord, workspace_id: int, p: TimeEntryPayload) -> TimeEntry:
    if p.workspace_id is None:
        raise BadRequest("workspace_id is required")
    if p.workspace_id != workspace_id:
        raise BadRequest("workspace_id in the body does not match the path")
    if not p.created_with:
        raise BadRequest("created_with needs to be provided a valid value")
    if p.user_id is not None and p.user_id != user.id:
        raise BadRequest("Cannot create time entries for another user")
    span = _span_for_create(p)
    description = _check_description(p.description)
    lock_user(session, user.id)
    project_id, task_id = _resolve_project_task(
        session, workspace_id, p.project_id, p.task_id, user.id
    )
    tag_ids = _tags(session, p, workspace_id, user.id) or []
    now = utcnow()
    if span.stop is None:
        stop_running(session, user.id, to_seconds(now))
    entry = TimeEntry(
        workspace_id=workspace_id,
        user_id=user.id,
        project_id=project_id,
        task_id=task_id,
        billable=_billable(session, p, project_id),
        description=description,
        start=span.start,
        stop=span.stop,
        running=span.stop is None,
        tag_ids=tag_ids,
        created_with=p.created_with,
        created_at=now,
        at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def get_own(
    session: Session, user_id: int, entry_id: int, workspace_id: int | None = None
) -> TimeEntry:
    entry = session.get(TimeEntry, entry_id)
    if (
        entry is None
        or entry.user_id != user_id
        or entry.server_deleted_at is not None
        or (workspace_id is not None and entry.workspace_id != workspace_id)
    ):
        raise NotFound(NOT_FOUND)
    return entry


def _apply_times(entry: TimeEntry, p: TimeEntryPayload) -> None:
    start = _instant(p.start, "start") if p.start else entry.start
    if p.sent("stop") and p.stop is None and not entry.running and not p.sent("duration"):
        raise BadRequest("stop cannot be null for a stopped time entry")
    stop = _instant(p.stop, "stop") if p.stop else None
    if p.duration is not None and p.duration < 0:
        if not entry.running:
            raise BadRequest("A stopped time entry cannot be made running; create a new one")
        entry.start = start
        return
    if p.duration is not None:
        _check_duration(p.duration)
        computed = _after(start, p.duration)
        if stop is not None and stop != computed:
            raise BadRequest(
                "Stop time and duration do not match (start + duration must equal stop)"
            )
        stop = computed
    elif stop is None and not entry.running:
        stop = entry.stop
    if stop is not None and stop < start:
        raise BadRequest("Stop time must be after start time")
    if stop is not None:
        _check_duration(int((stop - start).total_seconds()))
    entry.start = start
    entry.stop = stop
    entry.running = stop is None


def _apply_tags(session: Session, user: UserRecord, entry: TimeEntry, p: TimeEntryPayload) -> None:
    """Replace the tag set, or with ``tag_action`` add to it or delete from it.

    Deleting never creates a tag: unknown names and ids are simply not on the entry.
    """
    if p.tags is None and p.tag_ids is None:
        return
    current = list(entry.tag_ids or [])
    if p.tag_action == "delete":
        by_name = {
            name: tag_id for tag_id, name in live_tags(session, [entry.workspace_id]).items()
        }
        gone = set(p.tag_ids or []) | {
            by_name[name.strip()] for name in p.tags or [] if name.strip() in by_name
        }
        entry.tag_ids = [t for t in current if t not in gone]
        return
    named = _tags(session, p, entry.workspace_id, user.id) or []
    if p.tag_action == "add":
        entry.tag_ids = current + [t for t in named if t not in current]
    else:
        entry.tag_ids = named


def update(session: Session, user: UserRecord, entry: TimeEntry, p: TimeEntryPayload) -> TimeEntry:
    """Partial update: only what was sent changes. ``tag_action`` edits the tag set."""
    if p.sent("workspace_id") and p.workspace_id != entry.workspace_id:
        raise BadRequest("Moving a time entry to another workspace is not supported")
    if p.sent("description"):
        entry.description = _check_description(p.description)
    if p.sent("billable") and p.billable is not None:
        entry.billable = p.billable
    if p.sent("project_id") or p.sent("task_id"):
        project_id = p.project_id if p.sent("project_id") else entry.project_id
        task_id = p.task_id if p.sent("task_id") else entry.task_id
        if p.sent("project_id") and not p.sent("task_id") and project_id != entry.project_id:
            task_id = None
        entry.project_id, entry.task_id = _resolve_project_task(
            session, entry.workspace_id, project_id, task_id, user.id
        )
    if p.sent("start") or p.sent("stop") or p.sent("duration"):
        _apply_times(entry, p)
    _apply_tags(session, user, entry, p)
    entry.at = utcnow()
    session.flush()
    return entry


def stop(session: Session, user: UserRecord, entry: TimeEntry) -> TimeEntry:
    """Stop at the server's now; two stops at once: one succeeds, the other is a 409."""
    lock_user(session, user.id)
    session.refresh(entry)  # as it is now that we hold the lock
    if not entry.running:
        raise Conflict("Time entry already stopped")
    now = now_seconds()
    entry.stop = max(now, entry.start)
    _check_duration(int((entry.stop - entry.start).total_seconds()))
    entry.running = False
    entry.at = utcnow()
    session.flush()
    return entry


def delete(session: Session, entry: TimeEntry) -> None:
    """Soft delete: a ``since`` listing still shows it, with ``server_deleted_at``."""
    now = utcnow()
    if entry.running:
        entry.stop = max(to_seconds(now), entry.start)
        entry.running = False
    entry.server_deleted_at = now
    entry.at = now
    session.flush()
