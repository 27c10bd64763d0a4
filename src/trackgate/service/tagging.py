"""Tags as time entries use them: names resolved (and created on the fly), ids checked; and who
may make a tag, whichever way it is made."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service.access import is_admin
from trackgate.service.errors import BadRequest, Forbidden
from trackgate.service.naming import lock_workspace
from trackgate.storage.models import Tag, Workspace

MAX_NAME_BYTES = 255
ADMINS_ONLY = "Only workspace admins may create tags"


def require_tag_maker(session: Session, workspace_id: int, user_id: int) -> None:
    """Toggl's ``only_admins_may_create_tags``: then a member makes no tag, neither with the
    tag API nor by naming a new tag on a time entry (403)."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is not None and workspace.only_admins_may_create_tags:
        if not is_admin(session, user_id, workspace_id):
            raise Forbidden(ADMINS_ONLY)


def check_tag_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise BadRequest("tag name can't be blank")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise BadRequest(f"Tag name must not be longer than {MAX_NAME_BYTES} bytes")
    return name


def live_tags(session: Session, workspace_ids: Iterable[int]) -> dict[int, str]:
    ids = list(workspace_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Tag.id, Tag.name).where(Tag.workspace_id.in_(ids), Tag.deleted_at.is_(None))
    )
    return {row.id: row.name for row in rows}


def ids_for_names(
    session: Session, workspace_id: int, names: list[str], creator_id: int
) -> list[int]:
    """Ids of the named tags, creating those the workspace lacks (as Toggl does).

    Takes the workspace's name lock, so a tag made here and one made by the tag API at the
    same moment cannot both exist under one name.
    """
    ids: list[int] = []
    if names:
        lock_workspace(session, workspace_id)
    for raw in names:
        name = check_tag_name(raw)
        tag = session.scalar(
            select(Tag).where(
                Tag.workspace_id == workspace_id, Tag.name == name, Tag.deleted_at.is_(None)
            )
        )
        if tag is None:
            require_tag_maker(session, workspace_id, creator_id)
            tag = Tag(workspace_id=workspace_id, name=name, creator_id=creator_id)
            session.add(tag)
            session.flush()
        if tag.id not in ids:
            ids.append(tag.id)
    return ids


def check_tag_ids(session: Session, workspace_id: int, tag_ids: list[int]) -> list[int]:
    known = live_tags(session, [workspace_id])
    unknown = [t for t in tag_ids if t not in known]
    if unknown:
        raise BadRequest(f"Tag with id {unknown[0]} was not found")
    return list(dict.fromkeys(tag_ids))
