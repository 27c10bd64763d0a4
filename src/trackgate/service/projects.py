"""What a project may be, and how it is made and changed.

Removal (with its time entries) and pins live in ``project_removal``; listings in
``project_views``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import clients, project_access
from trackgate.service.access import membership
from trackgate.service.errors import BadRequest, Forbidden, NotFound
from trackgate.service.naming import MAX_NAME_BYTES, checked_name, lock_workspace
from trackgate.service.payloads import Id, Int32, Payload, Text
from trackgate.storage.models import Project, ProjectUser, Workspace
from trackgate.storage.types import utcnow
from trackgate.timefmt import parse_date

NOT_FOUND = "Invalid project_id"  # Toggl's 400 for a project that is not there
NOT_YOURS = "Only workspace admins and the project's managers may change it"
COLOR = re.compile(r"#[0-9a-f]{6}")
Amount = Annotated[StrictFloat, Field(ge=0, le=1e12, allow_inf_nan=False)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]
Hours = Annotated[Int32, Field(ge=0)]


class ProjectPayload(Payload):
    name: Text | None = None
    workspace_id: Id | None = None
    client_id: Id | None = None
    client_name: Text | None = None
    active: StrictBool | None = None
    is_private: StrictBool | None = None
    billable: StrictBool | None = None
    color: Text | None = None
    auto_estimates: StrictBool | None = None
    estimated_hours: Hours | None = None
    rate: Amount | None = None
    currency: Currency | None = None
    fixed_fee: Amount | None = None
    start_date: Text | None = None
    end_date: Text | None = None
    template: StrictBool | None = None
    template_id: Id | None = None
    is_shared: StrictBool | None = None
    recurring: StrictBool | None = None


def get(session: Session, workspace_id: int, project_id: int, viewer: int | None = None) -> Project:
    """The live project; a private one the ``viewer`` may not see is as good as missing."""
    found = session.get(Project, project_id)
    if (
        found is None
        or found.workspace_id != workspace_id
        or found.server_deleted_at is not None
        or (viewer is not None and not project_access.can_see(session, viewer, found))
    ):
        raise BadRequest(NOT_FOUND)
    return found


def require_manager(session: Session, user_id: int, project: Project) -> None:
    if not project_access.can_manage(session, user_id, project):
        raise Forbidden(NOT_YOURS)


def _name(raw: str | None) -> str:
    return checked_name(
        raw,
        blank="Project name can't be blank",
        too_long=f"Project name must not be longer than {MAX_NAME_BYTES} bytes",
    )


def _check_unique(session: Session, workspace_id: int, name: str, own_id: int | None) -> None:
    lock_workspace(session, workspace_id)
    same = session.scalar(
        select(Project.id).where(
            Project.workspace_id == workspace_id,
            Project.name == name,
            Project.server_deleted_at.is_(None),
        )
    )
    if same is not None and same != own_id:
        raise BadRequest("Name has already been taken")


def _color(raw: str | None) -> str:
    if raw is None or not COLOR.fullmatch(raw):
        raise BadRequest("Invalid project color, expected #rrggbb in lowercase hex")
    return raw


def _date(raw: str | None, name: str) -> date | None:
    if raw is None:
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise BadRequest(f"Invalid {name}: expected YYYY-MM-DD") from exc


def _client_id(
    session: Session, workspace_id: int, creator_id: int, p: ProjectPayload
) -> int | None:
    """The client named by ``client_id`` (must exist) or ``client_name`` (made if missing)."""
    if p.client_id is not None:
        try:
            return clients.get(session, workspace_id, p.client_id).id
        except NotFound as exc:
            raise BadRequest(f"Client with ID {p.client_id} isn't present in workspace") from exc
    if p.client_name:
        return clients.find_or_create(session, workspace_id, creator_id, p.client_name).id
    return None


def _apply(session: Session, project: Project, creator_id: int, p: ProjectPayload) -> None:
    """Copy what was sent onto the project, validating each field."""
    if p.workspace_id is not None and p.workspace_id != project.workspace_id:
        raise BadRequest("workspace_id in the body does not match the path")
    if p.sent("name"):
        project.name = _name(p.name)
        _check_unique(session, project.workspace_id, project.name, project.id)
    if p.sent("client_id") or p.sent("client_name"):
        project.client_id = _client_id(session, project.workspace_id, creator_id, p)
    if p.sent("color"):
        project.color = _color(p.color)
    for flag in ("active", "is_private", "billable", "auto_estimates", "template"):
        if p.sent(flag):
            value = getattr(p, flag)
            if value is None:
                raise BadRequest(f"{flag} cannot be null")
            setattr(project, flag, value)
    for flag in ("is_shared", "recurring"):
        if p.sent(flag) and getattr(p, flag) is not None:
            setattr(project, flag, getattr(p, flag))
    _apply_money(project, p)
    _apply_dates(project, p)


def _apply_money(project: Project, p: ProjectPayload) -> None:
    if p.sent("estimated_hours"):
        hours = p.estimated_hours
        project.estimated_seconds = hours * 3600 if hours is not None else None
    if p.sent("rate") and p.rate != project.rate:
        project.rate = p.rate
        project.rate_last_updated = utcnow()
    if p.sent("currency"):
        project.currency = p.currency
    if p.sent("fixed_fee"):
        project.fixed_fee = p.fixed_fee
    if p.sent("template_id"):
        project.template_id = p.template_id


def _apply_dates(project: Project, p: ProjectPayload) -> None:
    if p.sent("start_date"):
        project.start_date = _date(p.start_date, "start_date")
    if p.sent("end_date"):
        project.end_date = _date(p.end_date, "end_date")
    start = project.start_date or (project.created_at.date() if project.created_at else None)
    if project.end_date is not None and start is not None and project.end_date < start:
        raise BadRequest("End date must not be before start date")


def create(session: Session, workspace: Workspace, creator_id: int, p: ProjectPayload) -> Project:
    """A new project; defaults: private, active, billable as the workspace says."""
    if workspace.only_admins_may_create_projects:
        if not membership(session, creator_id, workspace.id).admin:
            raise Forbidden("Only workspace admins may create projects")
    name = _name(p.name)
    now = utcnow()
    project = Project(
        workspace_id=workspace.id,
        name=name,
        is_private=workspace.projects_private_by_default,
        active=True,
        billable=workspace.projects_billable_by_default,
        creator_id=creator_id,
        created_at=now,
        at=now,
    )
    _apply(session, project, creator_id, p)  # checks the name is free, among the rest
    session.add(project)
    session.flush()
    session.add(
        ProjectUser(
            workspace_id=workspace.id, project_id=project.id, user_id=creator_id, manager=True
        )
    )
    session.flush()
    return project


def update(session: Session, project: Project, editor_id: int, p: ProjectPayload) -> Project:
    """Partial update: only what was sent changes; ``at`` moves either way."""
    _apply(session, project, editor_id, p)
    project.at = utcnow()
    session.flush()
    return project
