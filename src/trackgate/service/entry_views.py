"""Reading time entries: the listing filters, and the names ``meta=true`` joins in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import wire
from trackgate.service.errors import BadRequest
from trackgate.service.tagging import live_tags
from trackgate.storage.models import Client, Project, Task, TimeEntry, User


@dataclass(frozen=True)
class EntryFilter:
    since: datetime | None = None
    before: datetime | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None

    def check(self) -> None:
        if self.since is not None and self.before is not None:
            raise BadRequest("'since' and 'before' can not be present simultaneously")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise BadRequest("start_date must be earlier than end_date")


DEFAULT_WINDOW_DAYS = 10


def default_window(now: datetime | None = None) -> EntryFilter:
    """What ``/me/time_entries`` shows when asked nothing: entries starting at or after
    00:00 UTC ten days ago, as Toggl does."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    midnight = datetime.combine(today - timedelta(days=DEFAULT_WINDOW_DAYS), time(), tzinfo=UTC)
    return EntryFilter(start_date=midnight)


def list_entries(session: Session, user_id: int, f: EntryFilter) -> list[TimeEntry]:
    """Newest start first; deleted entries only when ``since`` asks for changes."""
    f.check()
    query = select(TimeEntry).where(TimeEntry.user_id == user_id)
    if f.since is not None:
        query = query.where(TimeEntry.at >= f.since)
    else:
        query = query.where(TimeEntry.server_deleted_at.is_(None))
    if f.before is not None:
        query = query.where(TimeEntry.start < f.before)
    if f.start_date is not None:
        query = query.where(TimeEntry.start >= f.start_date)
    if f.end_date is not None:
        query = query.where(TimeEntry.start < f.end_date)
    return list(session.scalars(query.order_by(TimeEntry.start.desc(), TimeEntry.id.desc())))


def meta_for(
    session: Session, entries: Sequence[TimeEntry], user: User
) -> dict[int, wire.EntryMeta]:
    project_ids = {e.project_id for e in entries if e.project_id is not None}
    task_ids = {e.task_id for e in entries if e.task_id is not None}
    projects = {
        p.id: p for p in session.scalars(select(Project).where(Project.id.in_(project_ids)))
    }
    client_ids = {p.client_id for p in projects.values() if p.client_id is not None}
    clients = {
        c.id: c.name for c in session.scalars(select(Client).where(Client.id.in_(client_ids)))
    }
    tasks = {t.id: t.name for t in session.scalars(select(Task).where(Task.id.in_(task_ids)))}
    out: dict[int, wire.EntryMeta] = {}
    for e in entries:
        project = projects.get(e.project_id) if e.project_id is not None else None
        out[e.id] = wire.EntryMeta(
            client_name=clients.get(project.client_id) if project and project.client_id else None,
            project_name=project.name if project else None,
            project_color=project.color if project else None,
            project_active=project.active if project else None,
            project_billable=project.billable if project else None,
            task_name=tasks.get(e.task_id) if e.task_id is not None else None,
            user_name=user.fullname,
            user_avatar_url=wire.IMAGE_URL,
        )
    return out


def render_entries(
    session: Session,
    entries: Sequence[TimeEntry],
    user: User,
    *,
    meta: bool = False,
    style: wire.Style = "read",
) -> list[wire.Json]:
    tags = live_tags(session, {e.workspace_id for e in entries})
    metas = meta_for(session, entries, user) if meta else {}
    return [wire.time_entry(e, tags, style=style, meta=metas.get(e.id)) for e in entries]


def render_entry(
    session: Session,
    entry: TimeEntry,
    user: User,
    *,
    meta: bool = False,
    style: wire.Style = "read",
) -> wire.Json:
    return render_entries(session, [entry], user, meta=meta, style=style)[0]
