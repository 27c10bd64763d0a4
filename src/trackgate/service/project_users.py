"""Project users: who is in a project (and so sees it when private), who manages it, and
their rate and labor cost there. Admins and the project's managers change them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat
from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import projects
from trackgate.service.errors import BadRequest, NotFound
from trackgate.service.naming import lock_workspace
from trackgate.service.payloads import Id, Payload
from trackgate.service.project_access import visible_clause
from trackgate.storage.models import Project, ProjectUser, WorkspaceMember
from trackgate.storage.types import utcnow

NOT_FOUND = "Project user not found"
Money = Annotated[StrictFloat, Field(ge=0, le=1e9, allow_inf_nan=False)]


class ProjectUserPayload(Payload):
    project_id: Id | None = None
    user_id: Id | None = None
    manager: StrictBool | None = None
    rate: Money | None = None
    labor_cost: Money | None = None


def listed(
    session: Session,
    viewer: int,
    workspace_id: int,
    project_ids: Sequence[int] | None = None,
    user_id: int | None = None,
) -> list[ProjectUser]:
    """Project users of the live projects the viewer may see, by id."""
    query = (
        select(ProjectUser)
        .join(Project, Project.id == ProjectUser.project_id)
        .where(
            ProjectUser.workspace_id == workspace_id,
            Project.server_deleted_at.is_(None),
            visible_clause(viewer, [workspace_id]),
        )
    )
    if project_ids is not None:
        query = query.where(ProjectUser.project_id.in_(list(project_ids)))
    if user_id is not None:
        query = query.where(ProjectUser.user_id == user_id)
    return list(session.scalars(query.order_by(ProjectUser.id)))


def get(session: Session, workspace_id: int, project_user_id: int) -> ProjectUser:
    found = session.get(ProjectUser, project_user_id)
    if found is None or found.workspace_id != workspace_id:
        raise NotFound(NOT_FOUND)
    return found


def _apply(member: ProjectUser, p: ProjectUserPayload) -> None:
    if p.sent("manager") and p.manager is not None:
        member.manager = p.manager
    if p.sent("rate") and p.rate != member.rate:
        member.rate = p.rate
        member.rate_last_updated = utcnow()
    if p.sent("labor_cost") and p.labor_cost != member.labor_cost:
        member.labor_cost = p.labor_cost
        member.labor_cost_last_updated = utcnow()


def create(
    session: Session, editor_id: int, workspace_id: int, p: ProjectUserPayload
) -> ProjectUser:
    if p.project_id is None or p.user_id is None:
        raise BadRequest("project_id and user_id are required")
    project = projects.get(session, workspace_id, p.project_id, editor_id)
    projects.require_manager(session, editor_id, project)
    lock_workspace(session, workspace_id)  # the pair is unique: check and insert under the lock
    member = session.get(WorkspaceMember, (workspace_id, p.user_id))
    if member is None or not member.active:
        raise BadRequest(f"User {p.user_id} is not a member of the workspace")
    taken = session.scalar(
        select(ProjectUser.id).where(
            ProjectUser.project_id == project.id, ProjectUser.user_id == p.user_id
        )
    )
    if taken is not None:
        raise BadRequest("User is already a member of the project")
    made = ProjectUser(workspace_id=workspace_id, project_id=project.id, user_id=p.user_id)
    _apply(made, p)
    session.add(made)
    session.flush()
    return made


def _editable(session: Session, editor_id: int, member: ProjectUser) -> None:
    project = projects.get(session, member.workspace_id, member.project_id, editor_id)
    projects.require_manager(session, editor_id, project)


def update(
    session: Session, editor_id: int, member: ProjectUser, p: ProjectUserPayload
) -> ProjectUser:
    _editable(session, editor_id, member)
    _apply(member, p)
    member.at = utcnow()
    session.flush()
    return member


def delete(session: Session, editor_id: int, member: ProjectUser) -> None:
    _editable(session, editor_id, member)
    session.delete(member)
    session.flush()
