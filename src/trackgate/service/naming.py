"""Names of projects, clients, tags and tasks: trimmed, not blank, at most 255 bytes, and
unique where Toggl wants them unique.

Uniqueness is checked by the domain (the schema has no such constraint), so writers first
take the workspace's row lock on PostgreSQL; SQLite's writes are serial already.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service.errors import BadRequest
from trackgate.storage.models import Workspace

MAX_NAME_BYTES = 255


def checked_name(raw: str | None, *, blank: str, too_long: str) -> str:
    """The name trimmed; ``blank`` / ``too_long`` are the 400 messages for the two failures."""
    name = (raw or "").strip()
    if not name:
        raise BadRequest(blank)
    if len(name.encode()) > MAX_NAME_BYTES:
        raise BadRequest(too_long)
    return name


def lock_workspace(session: Session, workspace_id: int) -> None:
    """Serialise name checks in one workspace (a no-op on SQLite, whose writes are serial)."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
