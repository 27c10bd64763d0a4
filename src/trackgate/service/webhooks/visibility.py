"""Whether a subscription's creator may see an object: events of others are not sent to them.

The same rules as the v9 reads: members see their workspace's catalog, admins every time
entry and the others their own, and a private project (with its tasks and project users)
only its project users and the workspace's admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from trackgate.service.project_access import can_see
from trackgate.service.webhooks.entity_payloads import workspace_of
from trackgate.storage.models import Project, ProjectUser, Task, TimeEntry, WorkspaceMember


def _project_visible(session: Session, user_id: int, project_id: int | None) -> bool:
    project = session.get(Project, project_id) if project_id is not None else None
    return project is not None and can_see(session, user_id, project)


def may_see(session: Session, user_id: int, obj: Any) -> bool:
    member = session.get(WorkspaceMember, (workspace_of(obj), user_id))
    if member is None or not member.active:
        return False
    if isinstance(obj, TimeEntry):
        return obj.user_id == user_id or member.admin
    if isinstance(obj, Project):
        return can_see(session, user_id, obj)
    if isinstance(obj, Task | ProjectUser):
        return member.admin or _project_visible(session, user_id, obj.project_id)
    return True
