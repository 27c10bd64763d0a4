"""An organization's people as its admins list them: each with their workspaces there,
filtered by name or e-mail, admins only, or membership of given workspaces."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import team_wire
from trackgate.service.wire import Json
from trackgate.storage.models import OrganizationMember, User, Workspace, WorkspaceMember


@dataclass(frozen=True)
class UserFilter:
    text: str = ""
    admins_only: bool = False
    workspace_ids: Collection[int] | None = None
    descending: bool = False


def _matches(user: User, member: OrganizationMember, places: list[int], f: UserFilter) -> bool:
    needle = f.text.casefold()
    if f.admins_only and not member.admin:
        return False
    if f.workspace_ids is not None and not set(places) & set(f.workspace_ids):
        return False
    return not needle or needle in user.fullname.casefold() or needle in user.email


def listed(session: Session, organization_id: int, f: UserFilter) -> list[Json]:
    """By name (then id), case-insensitively."""
    rows = session.execute(
        select(User, OrganizationMember)
        .join(OrganizationMember, OrganizationMember.user_id == User.id)
        .where(OrganizationMember.organization_id == organization_id)
    ).all()
    places = session.execute(
        select(Workspace, WorkspaceMember)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(Workspace.organization_id == organization_id)
        .order_by(Workspace.id)
    ).all()
    found = []
    for user, member in rows:
        mine = [(ws, m) for ws, m in places if m.user_id == user.id]
        if _matches(user, member, [ws.id for ws, _ in mine], f):
            found.append(team_wire.org_user(user, member, mine))
    found.sort(key=lambda u: (str(u["name"]).casefold(), u["id"]), reverse=f.descending)
    return found
