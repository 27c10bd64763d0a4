"""Who may see and change a project. A private project is seen only by its project users
and the workspace's admins; a public one by every member. Changing a project takes a
workspace admin or one of the project's managers."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from trackgate.service.access import is_admin
from trackgate.storage.models import Project, ProjectUser, WorkspaceMember


def project_user(session: Session, user_id: int, project_id: int) -> ProjectUser | None:
    return session.scalar(
        select(ProjectUser).where(
            ProjectUser.project_id == project_id, ProjectUser.user_id == user_id
        )
    )


def visible_clause(user_id: int, workspace_ids: Collection[int]) -> ColumnElement[bool]:
    """Projects of ``workspace_ids`` the user may see, as a condition on ``Project``."""
    admin_of = select(WorkspaceMember.workspace_id).where(
        WorkspaceMember.user_id == user_id,
        WorkspaceMember.admin.is_(True),
        WorkspaceMember.active.is_(True),
        WorkspaceMember.workspace_id.in_(list(workspace_ids)),
    )
    member_of = select(ProjectUser.project_id).where(ProjectUser.user_id == user_id)
    return or_(
        Project.is_private.is_(False),
        Project.workspace_id.in_(admin_of),
        Project.id.in_(member_of),
    )


def can_see(session: Session, user_id: int, project: Project) -> bool:
    return (
        not project.is_private
        or is_admin(session, user_id, project.workspace_id)
        or project_user(session, user_id, project.id) is not None
    )


def can_manage(session: Session, user_id: int, project: Project) -> bool:
    if is_admin(session, user_id, project.workspace_id):
        return True
    member = project_user(session, user_id, project.id)
    return member is not None and member.manager
