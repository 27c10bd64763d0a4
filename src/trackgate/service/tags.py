"""Tags of a workspace: create, rename, delete. Names follow ``tagging.check_tag_name``,
which time entries use too, so a tag made either way obeys the same rules.

Deleting a tag takes it off every time entry that carried it. A member renames or deletes
only the tags they made; workspace admins any (Toggl documents admins editing everything and
members adding tags; it says nothing of members changing others' tags, so they may not).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text as SqlText
from sqlalchemy import cast, select
from sqlalchemy.orm import Session

from trackgate.service.access import is_admin
from trackgate.service.errors import BadRequest, Forbidden, NotFound
from trackgate.service.naming import lock_workspace
from trackgate.service.payloads import Payload, Text
from trackgate.service.tagging import check_tag_name, require_tag_maker
from trackgate.storage.models import Tag, TimeEntry, Workspace
from trackgate.storage.types import utcnow

NOT_FOUND = "Tag was not found"
NOT_YOURS = "Only workspace admins and the tag's creator may change it"


class TagPayload(Payload):
    name: Text | None = None


def get(session: Session, workspace_id: int, tag_id: int) -> Tag:
    found = session.get(Tag, tag_id)
    if found is None or found.workspace_id != workspace_id or found.deleted_at is not None:
        raise NotFound(NOT_FOUND)
    return found


def _require_changer(session: Session, user_id: int, found: Tag) -> None:
    if found.creator_id != user_id and not is_admin(session, user_id, found.workspace_id):
        raise Forbidden(NOT_YOURS)


def _check_unique(session: Session, workspace_id: int, name: str, own_id: int | None) -> None:
    lock_workspace(session, workspace_id)
    same = session.scalar(
        select(Tag.id).where(
            Tag.workspace_id == workspace_id, Tag.name == name, Tag.deleted_at.is_(None)
        )
    )
    if same is not None and same != own_id:
        raise BadRequest("Tag already exists")


def create(session: Session, workspace: Workspace, creator_id: int, p: TagPayload) -> Tag:
    require_tag_maker(session, workspace.id, creator_id)
    name = check_tag_name(p.name or "")
    _check_unique(session, workspace.id, name, None)
    now = utcnow()
    made = Tag(workspace_id=workspace.id, name=name, creator_id=creator_id, created_at=now, at=now)
    session.add(made)
    session.flush()
    return made


def rename(session: Session, user_id: int, found: Tag, p: TagPayload) -> Tag:
    _require_changer(session, user_id, found)
    name = check_tag_name(p.name or "")
    _check_unique(session, found.workspace_id, name, found.id)
    found.name = name
    found.at = utcnow()
    session.flush()
    return found


def delete(session: Session, user_id: int, found: Tag) -> None:
    """Soft-delete the tag and take it off the entries that carry it (their ``at`` moves)."""
    _require_changer(session, user_id, found)
    now = utcnow()
    # The JSON text narrows the rows on both databases; the exact test is done in Python.
    candidates = session.scalars(
        select(TimeEntry).where(
            TimeEntry.workspace_id == found.workspace_id,
            TimeEntry.server_deleted_at.is_(None),
            cast(TimeEntry.tag_ids, SqlText).contains(str(found.id)),
        )
    ).all()
    for entry in candidates:
        if found.id in (entry.tag_ids or []):
            entry.tag_ids = [t for t in entry.tag_ids if t != found.id]
            entry.at = now
    found.deleted_at = now
    found.at = now
    session.flush()


def listed(session: Session, workspace_ids: list[int], since: datetime | None = None) -> list[Tag]:
    """Live tags by name; deleted ones too when ``since`` asks for changes."""
    query = select(Tag).where(Tag.workspace_id.in_(workspace_ids))
    if since is not None:
        query = query.where(Tag.at >= since)
    else:
        query = query.where(Tag.deleted_at.is_(None))
    return sorted(session.scalars(query), key=lambda t: (t.name.casefold(), t.id))
