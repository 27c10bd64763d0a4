"""Each entity an event carries, as the v9 API spells it in its reads.

Rendered inside the transaction of the change, so the payload is the object as committed;
for a deletion it is the last known object."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from trackgate.service import team_wire, wire
from trackgate.service.entry_views import render_entry
from trackgate.service.project_views import render_project
from trackgate.service.task_views import render_task
from trackgate.service.workspace_users import render as render_workspace_user
from trackgate.storage.models import (
    Client,
    Project,
    ProjectUser,
    Tag,
    Task,
    TimeEntry,
    User,
    Workspace,
    WorkspaceMember,
)
from trackgate.storage.records import user_record_of

#: The models whose changes are events, with Toggl's name of each.
MODELS: dict[type[Any], str] = {
    Client: "client",
    Project: "project",
    ProjectUser: "project_user",
    Tag: "tag",
    Task: "task",
    TimeEntry: "time_entry",
    Workspace: "workspace",
    WorkspaceMember: "workspace_user",
}


def entity_id(obj: Any) -> int:
    """The id Toggl names the object by (a workspace user is named by its user's id)."""
    return int(obj.user_id if isinstance(obj, WorkspaceMember) else obj.id)


def workspace_of(obj: Any) -> int:
    return int(obj.id if isinstance(obj, Workspace) else obj.workspace_id)


def payload(session: Session, obj: Any, actor_id: int | None) -> wire.Json:
    """The object's read spelling; views that depend on a reader take the actor's."""
    if isinstance(obj, TimeEntry):
        owner = session.get(User, obj.user_id)
        assert owner is not None
        return render_entry(session, obj, user_record_of(owner))
    if isinstance(obj, Project):
        return render_project(session, actor_id or obj.creator_id, obj)
    if isinstance(obj, Task):
        return render_task(session, obj)
    if isinstance(obj, Client):
        return wire.client(obj)
    if isinstance(obj, Tag):
        return wire.tag(obj)
    if isinstance(obj, ProjectUser):
        return team_wire.project_user(obj)
    if isinstance(obj, WorkspaceMember):
        return render_workspace_user(session, obj)
    if isinstance(obj, Workspace):
        member = session.get(WorkspaceMember, (obj.id, actor_id)) if actor_id else None
        admin = bool(member and member.admin)
        return wire.workspace(obj, admin=admin, role=member.role if member else "admin")
    raise TypeError(f"no event payload for {type(obj).__name__}")
