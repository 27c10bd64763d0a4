"""The calling user: ``/me``, ``/me/logged``, token reset, and listings across workspaces."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from trackgate.service import wire
from trackgate.service.access import workspace_ids
from trackgate.service.auth import Caller, current_caller
from trackgate.service.entry_views import EntryFilter, list_entries, render_records
from trackgate.service.errors import BadRequest, Forbidden
from trackgate.service.params import flag, unix_since
from trackgate.service.passwords import hash_password, verified
from trackgate.service.payloads import Id, Int32, Payload, Text
from trackgate.service.responses import TogglJSON, empty_ok
from trackgate.service.users import (
    reset_token,
    reveal_token,
    validate_email,
    validate_fullname,
    validate_timezone,
)
from trackgate.storage.models import Project, User, Workspace, WorkspaceMember
from trackgate.storage.types import utcnow

router = APIRouter(tags=["me"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]


class MePayload(Payload):
    fullname: Text | None = None
    email: Text | None = None
    timezone: Text | None = None
    beginning_of_week: Int32 | None = None
    default_workspace_id: Id | None = None
    country_id: Int32 | None = None
    password: Text | None = None
    current_password: Text | None = None


def workspaces_json(
    session: Session, user_id: int, with_counts: bool = False, since: datetime | None = None
) -> list[wire.Json]:
    """The user's workspaces (changed since ``since``, if given), by id."""
    query = (
        select(Workspace, WorkspaceMember)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(WorkspaceMember.user_id == user_id, WorkspaceMember.active.is_(True))
    )
    if since is not None:
        query = query.where(Workspace.at >= since)
    rows = session.execute(query.order_by(Workspace.id)).all()
    counts: dict[int, int] = {}
    if with_counts and rows:
        counted = session.execute(
            select(Project.workspace_id, func.count(Project.id))
            .where(
                Project.workspace_id.in_([ws.id for ws, _ in rows]),
                Project.active.is_(True),
                Project.server_deleted_at.is_(None),
            )
            .group_by(Project.workspace_id)
        )
        counts = {wid: n for wid, n in counted}
    return [
        wire.workspace(
            ws,
            admin=m.admin,
            role=m.role,
            active_project_count=counts.get(ws.id, 0) if with_counts else None,
        )
        for ws, m in rows
    ]


def _related(session: Session, caller: Caller) -> wire.Json:
    """Toggl's order (between ``oauth_providers`` and ``authorization_updated_at``); no
    ``tasks``, as on a free account; projects by id, archived ones included."""
    from trackgate.service import related  # listings of other resources, shared with /me/*

    wids = workspace_ids(session, caller.user_id)
    entries = list_entries(caller.runtime.db, caller.user_id, EntryFilter())
    projects = related.projects_json(session, caller.user_id, wids, None)
    return {
        "tags": related.tags_json(session, wids, None),
        "clients": related.clients_json(session, wids, None),
        "time_entries": render_records(caller.runtime.db, entries, caller.user),
        "projects": sorted(projects, key=lambda p: int(p["id"])),
        "workspaces": workspaces_json(session, caller.user_id),
    }


def me_body(caller: Caller, with_related_data: str | None = None) -> wire.Json:
    """``GET /me`` (also answered by ``hot_reads`` past the framework): the user as read when
    the call was authenticated."""
    user = caller.user
    body = wire.me(user, reveal_token(caller.runtime.keyring, user))
    if flag(with_related_data, "with_related_data"):
        with caller.runtime.db.read() as session:
            last = body.pop("authorization_updated_at")
            body.update(_related(session, caller))
            body["authorization_updated_at"] = last
    return body


@router.get("/me")
async def get_me(caller: CallerDep, with_related_data: str | None = None) -> Response:
    return TogglJSON(me_body(caller, with_related_data))


@router.get("/me/logged")
def logged(caller: CallerDep) -> Response:
    return empty_ok()


def _apply_me(session: Session, user: User, p: MePayload) -> None:
    if p.fullname is not None:
        user.fullname = validate_fullname(p.fullname)
    if p.timezone is not None:
        user.timezone = validate_timezone(p.timezone)
    if p.beginning_of_week is not None:
        if not 0 <= p.beginning_of_week <= 6:
            raise BadRequest("beginning_of_week must be between 0 (Sunday) and 6")
        user.beginning_of_week = p.beginning_of_week
    if p.country_id is not None:
        user.country_id = p.country_id
    if p.default_workspace_id is not None:
        if p.default_workspace_id not in workspace_ids(session, user.id):
            raise BadRequest("default_workspace_id must be a workspace of the user")
        user.default_workspace_id = p.default_workspace_id
    if p.email is not None or p.password is not None:
        if (
            not p.current_password
            or not user.password_hash
            or not verified.verify(user.password_hash, p.current_password)
        ):
            raise Forbidden("Current password is not valid")
        if p.email is not None:
            email = validate_email(p.email)
            taken = session.scalar(select(User.id).where(User.email == email, User.id != user.id))
            if taken is not None:
                raise BadRequest("user with this email already exists")
            user.email = email
        if p.password is not None:
            if len(p.password) < 6:
                raise BadRequest("Password must be at least 6 characters long")
            user.password_hash = hash_password(p.password)
            user.authorization_updated_at = utcnow()
    user.updated_at = user.at = utcnow()


@router.put("/me")
def update_me(caller: CallerDep, payload: Annotated[MePayload, Body()]) -> Response:
    with caller.runtime.db.write() as session:
        user = session.get(User, caller.user_id)
        assert user is not None
        _apply_me(session, user, payload)
        body = wire.me(user, reveal_token(caller.runtime.keyring, user))
    return TogglJSON(body)


@router.post("/me/reset_token")
def reset_api_token(caller: CallerDep) -> Response:
    with caller.runtime.db.write() as session:
        user = session.get(User, caller.user_id)
        assert user is not None
        token = reset_token(session, caller.runtime.keyring, user)
    return TogglJSON(token)


def my_workspaces_body(caller: Caller, since: str | None = None) -> list[wire.Json]:
    """``GET /me/workspaces`` (also answered by ``hot_reads``)."""
    changed_since = unix_since(since)
    with caller.runtime.db.read() as session:
        return workspaces_json(session, caller.user_id, with_counts=True, since=changed_since)


@router.get("/me/workspaces")
def my_workspaces(caller: CallerDep, since: str | None = None) -> Response:
    return TogglJSON(my_workspaces_body(caller, since))
