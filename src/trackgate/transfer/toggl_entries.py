"""Imported time entries written in bulk: one statement per page or file, not one per row,
so a year of entries or a 100,000-row CSV takes seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from trackgate.storage.models import ImportRef, TimeEntry
from trackgate.storage.types import utcnow
from trackgate.transfer.toggl_refs import lookup

CREATED_WITH = "trackgate import"


@dataclass(slots=True)
class NewEntry:
    workspace_id: int
    user_id: int
    start: datetime
    stop: datetime
    description: str = ""
    project_id: int | None = None
    task_id: int | None = None
    billable: bool = False
    tag_ids: list[int] = field(default_factory=list)
    at: datetime | None = None
    toggl_id: int | None = None

    def row(self) -> dict[str, Any]:
        at = self.at or utcnow()
        return {
            "workspace_id": self.workspace_id,
            "user_id": self.user_id,
            "project_id": self.project_id,
            "task_id": self.task_id,
            "billable": self.billable,
            "description": self.description,
            "start": self.start,
            "stop": self.stop,
            "running": False,
            "tag_ids": sorted(set(self.tag_ids)),
            "created_with": CREATED_WITH,
            "created_at": at,
            "at": at,
        }


def write_entries(session: Session, source: str | None, entries: list[NewEntry]) -> None:
    """Insert the entries; those with a Toggl id already imported from ``source`` update the
    row they became instead."""
    if not entries:
        return
    if source is None:
        session.execute(insert(TimeEntry), [e.row() for e in entries])
        return
    known = lookup(session, source, "time_entry", [e.toggl_id for e in entries if e.toggl_id])
    fresh = [e for e in entries if e.toggl_id not in known]
    seen = [e for e in entries if e.toggl_id in known]
    if seen:
        changes = []
        for e in seen:
            assert e.toggl_id is not None
            changes.append({"id": known[e.toggl_id], **e.row()})
        session.execute(update(TimeEntry), changes)
    if fresh:
        statement = insert(TimeEntry).returning(TimeEntry.id, sort_by_parameter_order=True)
        ids = list(session.scalars(statement, [e.row() for e in fresh]))
        session.execute(
            insert(ImportRef),
            [
                {"source": source, "kind": "time_entry", "toggl_id": e.toggl_id, "local_id": i}
                for e, i in zip(fresh, ids, strict=True)
            ],
        )
