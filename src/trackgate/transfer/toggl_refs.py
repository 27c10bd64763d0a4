"""Toggl ids kept beside the rows they became, and checkpoints of an interrupted import: what
makes a second run of the same import change nothing and a killed one continue."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from trackgate.storage.models import ImportCheckpoint, ImportRef

#: Toggl's ids are global, so imports from Toggl itself (live or its files) share one source.
TOGGL = "toggl"


def source_for(url: str) -> str:
    """``toggl`` for Toggl Track; another server's ids are its own, kept apart by address."""
    from urllib.parse import urlsplit

    netloc = urlsplit(url).netloc.lower()
    return TOGGL if netloc in ("", "api.track.toggl.com", "track.toggl.com") else f"toggl@{netloc}"


class Refs:
    """The (kind, Toggl id) -> local id map of one source, read once per transaction."""

    def __init__(self, session: Session, source: str, kinds: Iterable[str]) -> None:
        self.session = session
        self.source = source
        self.known: dict[tuple[str, int], int] = {}
        query = select(ImportRef.kind, ImportRef.toggl_id, ImportRef.local_id).where(
            ImportRef.source == source, ImportRef.kind.in_(list(kinds))
        )
        for kind, toggl_id, local_id in session.execute(query):
            self.known[(kind, int(toggl_id))] = int(local_id)

    def get(self, kind: str, toggl_id: int | None) -> int | None:
        if toggl_id is None:
            return None
        return self.known.get((kind, int(toggl_id)))

    def put(self, kind: str, toggl_id: int, local_id: int) -> None:
        key = (kind, int(toggl_id))
        known = self.known.get(key)
        if known == local_id:
            return
        ref = ImportRef(source=self.source, kind=kind, toggl_id=int(toggl_id), local_id=local_id)
        if known is None:
            self.session.add(ref)
        else:  # the row it pointed to is gone
            self.session.merge(ref)
        self.known[key] = local_id


def lookup(session: Session, source: str, kind: str, toggl_ids: list[int]) -> dict[int, int]:
    """Local ids of many objects of one kind (a page of time entries), without the rest."""
    found: dict[int, int] = {}
    for start in range(0, len(toggl_ids), 500):
        chunk = toggl_ids[start : start + 500]
        query = select(ImportRef.toggl_id, ImportRef.local_id).where(
            ImportRef.source == source, ImportRef.kind == kind, ImportRef.toggl_id.in_(chunk)
        )
        found.update((int(t), int(loc)) for t, loc in session.execute(query))
    return found


def checkpoint(session: Session, source: str, key: str) -> str | None:
    return session.scalar(
        select(ImportCheckpoint.value).where(
            ImportCheckpoint.source == source, ImportCheckpoint.key == key
        )
    )


def set_checkpoint(session: Session, source: str, key: str, value: str | None) -> None:
    """Record (or with None forget) how far the import got, in the caller's transaction."""
    session.execute(
        delete(ImportCheckpoint).where(
            ImportCheckpoint.source == source, ImportCheckpoint.key == key
        )
    )
    if value is not None:
        session.add(ImportCheckpoint(source=source, key=key, value=value))
