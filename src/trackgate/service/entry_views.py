"""Reading time entries: the listing filters, and the names ``meta=true`` joins in.

The listing and the running entry are read as plain records (see ``storage.plain``): a
month of entries as ORM objects cost as much as everything else in the listing together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from trackgate.service import wire
from trackgate.service.errors import BadRequest
from trackgate.service.tagging import live_tags
from trackgate.storage.database import Database
from trackgate.storage.models import Client, Project, Tag, Task, TimeEntry
from trackgate.storage.plain import PlainQuery
from trackgate.storage.records import ENTRY_COLUMNS, EntryRecord, UserRecord, entry_record

Entry = TimeEntry | EntryRecord


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


_FILTERS = ("since", "before", "start_date", "end_date")
_LISTINGS: dict[tuple[bool, ...], PlainQuery] = {}


def _listing(shape: tuple[bool, ...]) -> PlainQuery:
    """The listing's statement for the filters given (one per combination, built once)."""
    found = _LISTINGS.get(shape)
    if found is not None:
        return found
    since, before, start_date, end_date = shape
    query = select(*ENTRY_COLUMNS).where(TimeEntry.user_id == bindparam("user_id"))
    if since:
        query = query.where(TimeEntry.at >= bindparam("since", type_=TimeEntry.at.type))
    else:
        query = query.where(TimeEntry.server_deleted_at.is_(None))
    if before:
        query = query.where(TimeEntry.start < bindparam("before", type_=TimeEntry.start.type))
    if start_date:
        query = query.where(TimeEntry.start >= bindparam("start_date", type_=TimeEntry.start.type))
    if end_date:
        query = query.where(TimeEntry.start < bindparam("end_date", type_=TimeEntry.start.type))
    found = PlainQuery(query.order_by(TimeEntry.start.desc(), TimeEntry.id.desc()))
    _LISTINGS[shape] = found
    return found


def list_entries(db: Database, user_id: int, f: EntryFilter) -> list[EntryRecord]:
    """Newest start first; deleted entries only when ``since`` asks for changes."""
    f.check()
    given = {name: getattr(f, name) for name in _FILTERS}
    query = _listing(tuple(value is not None for value in given.values()))
    params: dict[str, object] = {"user_id": user_id}
    for name, value in given.items():
        if value is not None:
            params[name] = value
    return [entry_record(row) for row in db.plain_rows(query, params)]


_RUNNING = PlainQuery(
    select(*ENTRY_COLUMNS).where(
        TimeEntry.user_id == bindparam("user_id"),
        TimeEntry.running.is_(True),
        TimeEntry.server_deleted_at.is_(None),
    )
)


def running_record(db: Database, user_id: int) -> EntryRecord | None:
    row = db.plain_row(_RUNNING, {"user_id": user_id})
    return entry_record(row) if row is not None else None


_LIVE_TAGS = PlainQuery(
    select(Tag.id, Tag.name).where(
        Tag.workspace_id == bindparam("workspace_id"), Tag.deleted_at.is_(None)
    )
)


def entry_tags(db: Database, entries: Sequence[Entry]) -> dict[int, str]:
    """The live tags of the workspaces of those entries that carry tags (none, mostly)."""
    names: dict[int, str] = {}
    for workspace_id in sorted({e.workspace_id for e in entries if e.tag_ids}):
        rows = db.plain_rows(_LIVE_TAGS, {"workspace_id": workspace_id})
        names.update((tag_id, name) for tag_id, name in rows)
    return names


def meta_for(
    session: Session, entries: Sequence[Entry], user: UserRecord
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


def render_records(
    db: Database,
    entries: Sequence[EntryRecord],
    user: UserRecord,
    *,
    meta: bool = False,
) -> list[wire.Json]:
    """Entries read as plain records, as reads show them."""
    tags = entry_tags(db, entries)
    if not meta:
        return [wire.time_entry(e, tags) for e in entries]
    with db.read() as session:
        metas = meta_for(session, entries, user)
    return [wire.time_entry(e, tags, meta=metas.get(e.id)) for e in entries]


def render_entries(
    session: Session,
    entries: Sequence[TimeEntry],
    user: UserRecord,
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
    user: UserRecord,
    *,
    meta: bool = False,
    style: wire.Style = "read",
) -> wire.Json:
    return render_entries(session, [entry], user, meta=meta, style=style)[0]
