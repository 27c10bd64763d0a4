"""The mirror in the gateway's database (SQLite or PostgreSQL), so it survives restarts and
replicas share it. Plain synchronous functions on a session; the caller picks the thread."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from trackgate.shield.rawjson import epoch
from trackgate.shield.reads import Held
from trackgate.shield.rules import (
    ME,
    TIME_ENTRIES,
    WORKSPACES,
    is_deleted,
    is_running,
    listing_order,
)
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldKind, ShieldMirror, ShieldObject, ShieldQuota
from trackgate.storage.plain import PlainQuery

Item = tuple[str, dict[str, Any]]

#: A state row, not a kind: the mirror's credential changed and whose account it holds is not
#: checked yet (the next refresh of the user compares ids); nothing is answered from it until.
UNVERIFIED = "unverified"


def ensure_mirror(session: Session, connection_id: str, credential_digest: str, now: float) -> None:
    """Bind the connection's mirror to the credential of the call. A new credential (a
    reconnect) may be the same Toggl user or another: it starts a new generation, and the
    mirror is kept but marked unverified when it holds the user to compare with, and dropped
    when it does not."""
    row = session.get(ShieldMirror, connection_id, with_for_update=True)
    if row is None:  # two processes at once: one commit fails; the caller tries again
        session.add(
            ShieldMirror(
                connection_id=connection_id,
                credential_digest=credential_digest,
                generation=0,
                version=0,
            )
        )
        return
    if row.credential_digest == credential_digest:
        return
    row.credential_digest = credential_digest
    row.generation += 1
    row.version += 1
    if held_user_id(session, connection_id) is None:
        drop(session, connection_id)
    elif session.get(ShieldKind, (connection_id, UNVERIFIED)) is None:
        session.add(ShieldKind(connection_id=connection_id, kind=UNVERIFIED, fetched_at=now))


@dataclass(frozen=True)
class Mark:
    """What one read of the mirror's row tells: whose credential it holds, in which
    generation, at which version of its content."""

    credential_digest: str
    generation: int
    version: int


_MARK = PlainQuery(
    select(ShieldMirror.credential_digest, ShieldMirror.generation, ShieldMirror.version).where(
        ShieldMirror.connection_id == bindparam("connection_id")
    )
)


def mark(db: Database, connection_id: str) -> Mark | None:
    """The mirror row's mark, read past the ORM (one indexed row on a pooled connection)."""
    rows = db.plain_rows(_MARK, {"connection_id": connection_id})
    if not rows:
        return None
    digest_, generation, version = rows[0]
    return Mark(str(digest_), int(generation), int(version))


@dataclass(frozen=True)
class Binding:
    """Whose credential the mirror holds data for, in which generation, and whether the
    Toggl user behind it was checked since that credential came."""

    credential_digest: str
    generation: int
    verified: bool
    version: int = 0

    @property
    def mark(self) -> Mark:
        return Mark(self.credential_digest, self.generation, self.version)

    def serves(self, credential_digest: str) -> bool:
        return self.verified and self.credential_digest == credential_digest


class NotBound(Exception):
    """The mirror is not (or no longer) bound to the credential that fetched what was to be
    stored, or the user behind it is not checked yet: nothing of it may enter the mirror."""


def binding(session: Session, connection_id: str) -> Binding | None:
    row = session.get(ShieldMirror, connection_id, populate_existing=True)
    if row is None:
        return None
    verified = not is_unverified(session, connection_id)
    return Binding(row.credential_digest, row.generation, verified, row.version)


def require_bound(
    session: Session, connection_id: str, credential_digest: str, *, verifying: bool = False
) -> None:
    """Before anything fetched with a credential is stored: the mirror holds that very
    credential, and (unless this is the check itself) its user was checked. Locks the mirror's
    row, so a reconnect cannot slip in before the commit."""
    row = session.get(ShieldMirror, connection_id, with_for_update=True)
    if row is None or row.credential_digest != credential_digest:
        raise NotBound(connection_id)
    if not verifying and is_unverified(session, connection_id):
        raise NotBound(connection_id)
    row.version += 1  # what follows changes what the mirror holds


def is_unverified(session: Session, connection_id: str) -> bool:
    query = select(ShieldKind.kind).where(
        ShieldKind.connection_id == connection_id, ShieldKind.kind == UNVERIFIED
    )
    return session.scalars(query).first() is not None


def held_user_id(session: Session, connection_id: str) -> int | None:
    """The ``id`` of the user the mirror holds."""
    query = select(ShieldObject.object_id).where(
        ShieldObject.connection_id == connection_id, ShieldObject.kind == ME
    )
    return session.scalars(query).first()


def verify_user(session: Session, connection_id: str, user_id: int) -> bool:
    """After the user was fetched with the current credential: drop everything held when it is
    another user than the one held. True when the mirror was dropped."""
    held = held_user_id(session, connection_id)
    session.execute(
        delete(ShieldKind).where(
            ShieldKind.connection_id == connection_id, ShieldKind.kind == UNVERIFIED
        )
    )
    if held is None or held == user_id:
        return False
    drop(session, connection_id)
    return True


def drop(session: Session, connection_id: str) -> None:
    for model in (ShieldObject, ShieldKind, ShieldQuota):
        session.execute(delete(model).where(model.connection_id == connection_id))


def kind_states(
    session: Session, connection_id: str, kinds: Iterable[str]
) -> dict[str, ShieldKind]:
    query = select(ShieldKind).where(
        ShieldKind.connection_id == connection_id, ShieldKind.kind.in_(list(kinds))
    )
    return {row.kind: row for row in session.scalars(query)}


def held(session: Session, connection_id: str, kinds: Iterable[str]) -> dict[str, list[Held]]:
    query = select(ShieldObject).where(
        ShieldObject.connection_id == connection_id, ShieldObject.kind.in_(list(kinds))
    )
    found: dict[str, list[Held]] = {}
    for row in session.scalars(query):
        found.setdefault(row.kind, []).append(
            Held(
                object_id=row.object_id,
                body=row.body,
                position=row.position,
                workspace_id=row.workspace_id,
                start=row.start,
                at=row.at,
                deleted=row.deleted,
            )
        )
    return found


def _object(
    connection_id: str, kind: str, text: str, value: dict[str, Any], position: int
) -> ShieldObject:
    workspace = value.get("workspace_id", value.get("wid"))
    if kind == WORKSPACES:
        workspace = value.get("id")
    return ShieldObject(
        connection_id=connection_id,
        kind=kind,
        object_id=int(value["id"]),
        position=position,
        workspace_id=workspace if isinstance(workspace, int) else None,
        start=epoch(value.get("start")) if kind == TIME_ENTRIES else None,
        at=epoch(value.get("at")),
        deleted=is_deleted(value),
        body=text,
    )


def _state(session: Session, connection_id: str, kind: str, fetched_at: float) -> ShieldKind:
    row = session.get(ShieldKind, (connection_id, kind))
    if row is None:
        row = ShieldKind(connection_id=connection_id, kind=kind, fetched_at=fetched_at)
        session.add(row)
    row.fetched_at = fetched_at
    return row


def replace_kind(
    session: Session, connection_id: str, kind: str, items: list[Item], fetched_at: float
) -> ShieldKind:
    """A whole listing replaces what was held of its kind, in the upstream's order."""
    session.execute(
        delete(ShieldObject).where(
            ShieldObject.connection_id == connection_id, ShieldObject.kind == kind
        )
    )
    seen: set[int] = set()
    for position, (text, value) in enumerate(items):
        if isinstance(value.get("id"), int) and value["id"] not in seen:
            seen.add(value["id"])
            session.add(_object(connection_id, kind, text, value, position))
    return _state(session, connection_id, kind, fetched_at)


def merge_entries(session: Session, connection_id: str, items: list[Item]) -> None:
    """Changed entries over held ones; of two versions the newer ``at`` wins."""
    merge_objects(session, connection_id, TIME_ENTRIES, items)


def merge_objects(session: Session, connection_id: str, kind: str, items: list[Item]) -> None:
    """Changed objects over held ones (an upsert); of two versions the newer ``at`` wins."""
    for text, value in items:
        if not isinstance(value.get("id"), int):
            continue
        fresh = _object(connection_id, kind, text, value, 0)
        row = session.get(ShieldObject, (connection_id, kind, fresh.object_id))
        if row is None:
            session.add(fresh)
        elif row.at is None or fresh.at is None or fresh.at >= row.at:
            row.body, row.start, row.at = fresh.body, fresh.start, fresh.at
            row.deleted, row.workspace_id = fresh.deleted, fresh.workspace_id
    session.flush()


def replace_workspace(
    session: Session, connection_id: str, kind: str, workspace_id: int, items: list[Item]
) -> None:
    """One workspace's whole listing replaces what was held of its kind in that workspace."""
    session.execute(
        delete(ShieldObject).where(
            ShieldObject.connection_id == connection_id,
            ShieldObject.kind == kind,
            ShieldObject.workspace_id == workspace_id,
        )
    )
    session.flush()
    merge_objects(session, connection_id, kind, items)


def _rows(session: Session, connection_id: str, kind: str) -> list[ShieldObject]:
    query = select(ShieldObject).where(
        ShieldObject.connection_id == connection_id, ShieldObject.kind == kind
    )
    return list(session.scalars(query))


def in_listing_order(session: Session, connection_id: str, kind: str) -> bool:
    """Whether the objects held, in the upstream's own order, follow
    :func:`~trackgate.shield.rules.listing_order`; only then can changes be placed without
    listing the kind whole."""
    live = sorted(
        (r for r in _rows(session, connection_id, kind) if not r.deleted),
        key=lambda r: (r.position, r.object_id),
    )
    keys = [listing_order(kind, json.loads(r.body)) for r in live]
    return keys == sorted(keys)


def renumber(session: Session, connection_id: str, kind: str) -> None:
    """Place every held object of ``kind`` where its listing would."""
    rows = _rows(session, connection_id, kind)
    rows.sort(key=lambda r: listing_order(kind, json.loads(r.body)))
    for position, row in enumerate(rows):
        row.position = position


def touch_kind(session: Session, connection_id: str, kind: str, fetched_at: float) -> ShieldKind:
    return _state(session, connection_id, kind, fetched_at)


def mark_dirty(session: Session, connection_id: str, kinds: Iterable[str], when: float) -> None:
    session.execute(
        update(ShieldMirror)
        .where(ShieldMirror.connection_id == connection_id)
        .values(version=ShieldMirror.version + 1)
    )
    session.execute(
        update(ShieldKind)
        .where(ShieldKind.connection_id == connection_id, ShieldKind.kind.in_(list(kinds)))
        .values(dirty_at=when)
    )


def other_running(session: Session, connection_id: str, entry_id: int) -> bool:
    """Whether the mirror holds a running entry other than ``entry_id``."""
    query = select(ShieldObject.body).where(
        ShieldObject.connection_id == connection_id,
        ShieldObject.kind == TIME_ENTRIES,
        ShieldObject.deleted.is_(False),
        ShieldObject.object_id != entry_id,
    )
    return any(is_running(json.loads(body)) for body in session.scalars(query))


def hide_entry(session: Session, connection_id: str, entry_id: int) -> None:
    """A deleted entry leaves the listings at once (its tombstone comes with a refresh)."""
    row = session.get(ShieldObject, (connection_id, TIME_ENTRIES, entry_id))
    if row is not None:
        row.deleted = True


def held_entry(session: Session, connection_id: str, entry_id: int) -> dict[str, Any] | None:
    row = session.get(ShieldObject, (connection_id, TIME_ENTRIES, entry_id))
    if row is None:
        return None
    value: dict[str, Any] = json.loads(row.body)
    return value


def held_ids(session: Session, connection_id: str, kind: str) -> set[int]:
    query = select(ShieldObject.object_id).where(
        ShieldObject.connection_id == connection_id, ShieldObject.kind == kind
    )
    return set(session.scalars(query))


def workspace_organization(session: Session, connection_id: str, workspace_id: int) -> int | None:
    row = session.get(ShieldObject, (connection_id, WORKSPACES, workspace_id))
    if row is None:
        return None
    organization = json.loads(row.body).get("organization_id")
    return organization if isinstance(organization, int) else None


# --- the refresh lease ---------------------------------------------------------------------


class MirrorGone(Exception):
    """The connection's mirror row is gone: the connection was deleted meanwhile."""


def try_lease(
    session: Session, connection_id: str, holder: str, now: float, seconds: float
) -> bool:
    """Take the connection's refresh lease if no one holds it (or the holder's has run out)."""
    if session.get(ShieldMirror, connection_id) is None:
        raise MirrorGone(connection_id)
    taken = session.execute(
        update(ShieldMirror)
        .where(
            ShieldMirror.connection_id == connection_id,
            or_(
                ShieldMirror.lease_until.is_(None),
                ShieldMirror.lease_until < now,
                ShieldMirror.lease_holder == holder,
            ),
        )
        .values(lease_holder=holder, lease_until=now + seconds)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def release_lease(session: Session, connection_id: str, holder: str) -> None:
    session.execute(
        update(ShieldMirror)
        .where(ShieldMirror.connection_id == connection_id, ShieldMirror.lease_holder == holder)
        .values(lease_holder=None, lease_until=None)
    )


# --- quotas --------------------------------------------------------------------------------


def record_quota(
    session: Session,
    connection_id: str,
    bucket: str,
    organization_id: int | None,
    remaining: int,
    resets_in: int,
    observed_at: datetime,
) -> None:
    row = session.get(ShieldQuota, (connection_id, bucket))
    if row is None:
        row = ShieldQuota(connection_id=connection_id, bucket=bucket)
        session.add(row)
    row.organization_id = organization_id
    row.remaining, row.resets_in, row.observed_at = remaining, resets_in, observed_at


def quotas(session: Session, connection_ids: list[str]) -> list[ShieldQuota]:
    query = select(ShieldQuota).where(ShieldQuota.connection_id.in_(connection_ids))
    return list(session.scalars(query.order_by(ShieldQuota.bucket)))
