"""Names of a workspace's projects, clients, tasks, tags and members, for titles and exports.

These catalogs are small next to the entries, so each is read once per report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.storage.models import Client, Project, Tag, Task, User, WorkspaceMember


@dataclass(frozen=True)
class ProjectName:
    name: str
    color: str
    client_id: int | None


@dataclass(frozen=True)
class Person:
    fullname: str
    email: str


@dataclass
class Names:
    projects: dict[int, ProjectName] = field(default_factory=dict)
    clients: dict[int, str] = field(default_factory=dict)
    tasks: dict[int, str] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)
    users: dict[int, Person] = field(default_factory=dict)

    def project(self, project_id: int | None) -> str:
        found = self.projects.get(project_id) if project_id is not None else None
        return found.name if found else ""

    def client_of_project(self, project_id: int | None) -> str:
        found = self.projects.get(project_id) if project_id is not None else None
        if found is None or found.client_id is None:
            return ""
        return self.clients.get(found.client_id, "")

    def user(self, user_id: int | None) -> str:
        found = self.users.get(user_id) if user_id is not None else None
        return found.fullname if found else ""

    def tag_list(self, tag_ids: list[int] | None) -> list[str]:
        return [self.tags[t] for t in tag_ids or [] if t in self.tags]


def load_names(session: Session, workspace_id: int) -> Names:
    names = Names()
    projects = select(Project.id, Project.name, Project.color, Project.client_id).where(
        Project.workspace_id == workspace_id
    )
    for pid, name, color, client_id in session.execute(projects):
        names.projects[pid] = ProjectName(name, color, client_id)
    clients = select(Client.id, Client.name).where(Client.workspace_id == workspace_id)
    names.clients = {cid: name for cid, name in session.execute(clients)}
    tasks = select(Task.id, Task.name).where(Task.workspace_id == workspace_id)
    names.tasks = {tid: name for tid, name in session.execute(tasks)}
    tags = select(Tag.id, Tag.name).where(Tag.workspace_id == workspace_id)
    names.tags = {tid: name for tid, name in session.execute(tags)}
    users = (
        select(User.id, User.fullname, User.email)
        .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
        .where(WorkspaceMember.workspace_id == workspace_id)
    )
    names.users = {uid: Person(fullname, email) for uid, fullname, email in session.execute(users)}
    return names
