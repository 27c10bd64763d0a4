"""Import Toggl's detailed report CSV in one transaction: people by e-mail, clients, projects,
tasks and tags by name in the target workspace, time entries in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.crypto import Keyring
from trackgate.storage.database import Database
from trackgate.storage.models import Client, Project, Tag, Task, Workspace
from trackgate.transfer.toggl_csv_rows import CsvFileError, CsvRow, RowError, read_rows
from trackgate.transfer.toggl_entries import NewEntry, write_entries
from trackgate.transfer.toggl_people import (
    ImportRefused,
    first_workspace_of,
    new_workspace,
    person,
)
from trackgate.transfer.toggl_summary import Summary

#: Refusing a file lists at most this many bad rows (and says how many more).
SHOWN_ERRORS = 20


@dataclass(frozen=True)
class CsvOptions:
    zone: str = "UTC"
    workspace_id: int | None = None
    skip: bool = False  # leave bad rows out instead of refusing the file


def _refusal(errors: list[RowError]) -> str:
    lines = [f"line {e.line}: {e.error}" for e in errors[:SHOWN_ERRORS]]
    more = len(errors) - SHOWN_ERRORS
    if more > 0:
        lines.append(f"... and {more} more bad rows")
    return (
        f"{len(errors)} bad rows, nothing imported (--on-error skip leaves them out):\n  "
        + "\n  ".join(lines)
    )


def import_csv(
    db: Database, keyring: Keyring, path: Path, options: CsvOptions, summary: Summary
) -> Summary:
    rows: list[CsvRow] = []
    errors: list[RowError] = []
    try:
        for found in read_rows(path, ZoneInfo(options.zone)):
            (errors if isinstance(found, RowError) else rows).append(found)  # type: ignore[arg-type]
    except CsvFileError as exc:
        raise ImportRefused(str(exc)) from None
    if errors and not options.skip:
        raise ImportRefused(_refusal(errors))
    summary.skipped = [{"line": e.line, "error": e.error} for e in errors]
    with db.write() as session:
        _write(session, keyring, rows, options, summary)
    return summary


class Named:
    """A workspace's clients, projects, tasks and tags by name, made on first mention."""

    def __init__(self, session: Session, workspace_id: int, creator: int) -> None:
        self.session = session
        self.wid = workspace_id
        self.creator = creator
        live = Client.server_deleted_at.is_(None)
        self.clients = {
            c.name: c.id
            for c in session.scalars(select(Client).where(Client.workspace_id == self.wid, live))
        }
        self.projects = {
            p.name: p.id
            for p in session.scalars(
                select(Project).where(
                    Project.workspace_id == self.wid, Project.server_deleted_at.is_(None)
                )
            )
        }
        self.tasks = {
            (t.project_id, t.name): t.id
            for t in session.scalars(
                select(Task).where(Task.workspace_id == self.wid, Task.server_deleted_at.is_(None))
            )
        }
        self.tags = {
            t.name: t.id
            for t in session.scalars(
                select(Tag).where(Tag.workspace_id == self.wid, Tag.deleted_at.is_(None))
            )
        }
        self.used: dict[str, set[object]] = {
            k: set() for k in ("clients", "projects", "tags", "tasks")
        }

    def _made(self, row: Client | Project | Task | Tag) -> int:
        self.session.add(row)
        self.session.flush()
        return row.id

    def client(self, name: str) -> int | None:
        if not name:
            return None
        if name not in self.clients:
            self.clients[name] = self._made(
                Client(workspace_id=self.wid, name=name[:255], creator_id=self.creator)
            )
        self.used["clients"].add(name)
        return self.clients[name]

    def project(self, name: str, client: str, billable: bool) -> int | None:
        if not name:
            return None
        if name not in self.projects:
            self.projects[name] = self._made(
                Project(
                    workspace_id=self.wid,
                    name=name[:255],
                    client_id=self.client(client),
                    is_private=False,
                    billable=billable,
                    creator_id=self.creator,
                )
            )
        elif client:
            self.client(client)
        self.used["projects"].add(name)
        return self.projects[name]

    def task(self, project_id: int | None, name: str) -> int | None:
        if not name or project_id is None:
            return None
        key = (project_id, name)
        if key not in self.tasks:
            self.tasks[key] = self._made(
                Task(workspace_id=self.wid, project_id=project_id, name=name[:255])
            )
        self.used["tasks"].add(key)
        return self.tasks[key]

    def tag_ids(self, names: list[str]) -> list[int]:
        found = []
        for name in names:
            if name not in self.tags:
                self.tags[name] = self._made(
                    Tag(workspace_id=self.wid, name=name[:255], creator_id=self.creator)
                )
            self.used["tags"].add(name)
            found.append(self.tags[name])
        return found


def _target(session: Session, rows: list[CsvRow], options: CsvOptions) -> tuple[Workspace, bool]:
    """The workspace asked for, else that of the first existing user named, else a new one."""
    if options.workspace_id is not None:
        ws = session.get(Workspace, options.workspace_id)
        if ws is None:
            raise ImportRefused(f"no workspace {options.workspace_id} (--workspace)")
        return ws, False
    emails = list(dict.fromkeys(r.email for r in rows))
    found = first_workspace_of(session, emails)
    if found is not None:
        return found, False
    return new_workspace(session, "Imported from Toggl"), True


def _write(
    session: Session, keyring: Keyring, rows: list[CsvRow], options: CsvOptions, summary: Summary
) -> None:
    if not rows:
        return
    workspace, fresh = _target(session, rows, options)
    summary.add("workspaces")
    people: dict[str, int] = {}
    for row in rows:
        if row.email not in people:
            role = "admin" if fresh and not people else "member"
            user = person(
                session,
                keyring,
                summary,
                row.email,
                fullname=row.user,
                timezone=options.zone,  # the zone the file was written in: the person's own
                workspace=workspace,
                role=role,
            )
            people[row.email] = user.id
    named = Named(session, workspace.id, next(iter(people.values())))
    entries: list[NewEntry] = []
    for row in rows:
        project = named.project(row.project, row.client, row.billable)
        entries.append(
            NewEntry(
                workspace_id=workspace.id,
                user_id=people[row.email],
                start=row.start,
                stop=row.stop,
                description=row.description,
                project_id=project,
                task_id=named.task(project, row.task),
                billable=row.billable,
                tag_ids=named.tag_ids(row.tags),
            )
        )
    write_entries(session, None, entries)
    summary.add("time_entries", len(entries))
    for kind, used in named.used.items():
        summary.add(kind, len(used))
