"""What a client may be, and how it changes: create, rename, archive, restore, delete.

Archiving a client archives its projects; deleting one keeps its projects, unassigned.

Who may: members add clients unless the workspace keeps that to admins
(``only_admins_may_create_projects``, Toggl's "add projects and clients" setting); workspace
admins edit every client (Toggl's documented roles). Toggl says no more, so the safe answer
holds: a member renames or deletes only the clients they made, and only admins archive or
restore a client (which archives or restores its projects, others' too).
"""

from __future__ import annotations

from pydantic import StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service.access import is_admin
from trackgate.service.errors import BadRequest, Forbidden, NotFound
from trackgate.service.naming import MAX_NAME_BYTES, checked_name, lock_workspace
from trackgate.service.payloads import Id, Payload, Text
from trackgate.storage.models import Client, Project, Workspace
from trackgate.storage.types import utcnow

MAX_NOTES_BYTES = 3000
STATUSES = ("active", "archived", "both")
ADMINS_ONLY = "Only workspace admins may create clients"
NOT_YOURS = "Only workspace admins and the client's creator may change it"
ARCHIVING = "Only workspace admins may archive or restore clients"


class ClientPayload(Payload):
    name: Text | None = None
    notes: Text | None = None
    workspace_id: Id | None = None


class RestorePayload(Payload):
    restore_all_projects: StrictBool = False
    projects: list[Id] | None = None


def _name(raw: str | None) -> str:
    return checked_name(
        raw,
        blank="client name can't be blank",
        too_long=f"Client name must not be longer than {MAX_NAME_BYTES} bytes",
    )


def _notes(raw: str | None) -> str | None:
    if raw is not None and len(raw.encode()) > MAX_NOTES_BYTES:
        raise BadRequest(f"Client notes must not be longer than {MAX_NOTES_BYTES} bytes")
    return raw


def get(session: Session, workspace_id: int, client_id: int) -> Client:
    found = session.get(Client, client_id)
    if found is None or found.workspace_id != workspace_id or found.server_deleted_at is not None:
        raise NotFound(f"No client with ID {client_id} was found")  # Toggl's words
    return found


def by_name(session: Session, workspace_id: int, name: str) -> Client | None:
    return session.scalar(
        select(Client).where(
            Client.workspace_id == workspace_id,
            Client.name == name,
            Client.server_deleted_at.is_(None),
        )
    )


def _check_unique(session: Session, workspace_id: int, name: str, own_id: int | None) -> None:
    lock_workspace(session, workspace_id)
    same = by_name(session, workspace_id, name)
    if same is not None and same.id != own_id:
        raise BadRequest("Name has already been taken")


def _check_workspace(p: ClientPayload, workspace_id: int) -> None:
    if p.workspace_id is not None and p.workspace_id != workspace_id:
        raise BadRequest("workspace_id in the body does not match the path")


def _require_maker(session: Session, workspace_id: int, user_id: int) -> None:
    workspace = session.get(Workspace, workspace_id)
    if workspace is not None and workspace.only_admins_may_create_projects:
        if not is_admin(session, user_id, workspace_id):
            raise Forbidden(ADMINS_ONLY)


def _require_changer(session: Session, user_id: int, found: Client) -> None:
    if found.creator_id != user_id and not is_admin(session, user_id, found.workspace_id):
        raise Forbidden(NOT_YOURS)


def _require_admin(session: Session, user_id: int, found: Client) -> None:
    if not is_admin(session, user_id, found.workspace_id):
        raise Forbidden(ARCHIVING)


def create(session: Session, workspace_id: int, creator_id: int, p: ClientPayload) -> Client:
    _check_workspace(p, workspace_id)
    _require_maker(session, workspace_id, creator_id)
    name = _name(p.name)
    _check_unique(session, workspace_id, name, None)
    now = utcnow()
    made = Client(
        workspace_id=workspace_id,
        name=name,
        notes=_notes(p.notes),
        creator_id=creator_id,
        created_at=now,
        at=now,
    )
    session.add(made)
    session.flush()
    return made


def find_or_create(session: Session, workspace_id: int, creator_id: int, raw: str) -> Client:
    """The client of that name, made if the workspace lacks it (``client_name`` on projects)."""
    name = _name(raw)
    lock_workspace(session, workspace_id)
    return by_name(session, workspace_id, name) or create(
        session, workspace_id, creator_id, ClientPayload(name=name)
    )


def update(session: Session, user_id: int, found: Client, p: ClientPayload) -> Client:
    """Partial update: only what was sent changes."""
    _require_changer(session, user_id, found)
    _check_workspace(p, found.workspace_id)
    if p.sent("name"):
        name = _name(p.name)
        _check_unique(session, found.workspace_id, name, found.id)
        found.name = name
    if p.sent("notes"):
        found.notes = _notes(p.notes)
    found.at = utcnow()
    session.flush()
    return found


def _projects_of(session: Session, found: Client) -> list[Project]:
    query = select(Project).where(
        Project.client_id == found.id, Project.server_deleted_at.is_(None)
    )
    return list(session.scalars(query.order_by(Project.id)))


def delete(session: Session, user_id: int, found: Client) -> None:
    """Soft delete; its projects stay, without a client."""
    _require_changer(session, user_id, found)
    now = utcnow()
    for project in _projects_of(session, found):
        project.client_id = None
        project.at = now
    found.server_deleted_at = now
    found.at = now
    session.flush()


def archive(session: Session, user_id: int, found: Client) -> list[int]:
    """Archive the client and its active projects; the ids of the projects archived now."""
    _require_admin(session, user_id, found)
    now = utcnow()
    archived: list[int] = []
    for project in _projects_of(session, found):
        if project.active:
            project.active = False
            project.at = now
            archived.append(project.id)
    found.archived = True
    found.at = now
    session.flush()
    return archived


def restore(session: Session, user_id: int, found: Client, p: RestorePayload) -> Client:
    """Restore the client, and all its projects or the ones named."""
    _require_admin(session, user_id, found)
    now = utcnow()
    projects = {project.id: project for project in _projects_of(session, found)}
    wanted = list(projects) if p.restore_all_projects else list(dict.fromkeys(p.projects or []))
    unknown = [pid for pid in wanted if pid not in projects]
    if unknown:
        raise BadRequest(f"Project {unknown[0]} does not belong to this client")
    for pid in wanted:
        if not projects[pid].active:
            projects[pid].active = True
            projects[pid].at = now
    found.archived = False
    found.at = now
    session.flush()
    return found


def listed(
    session: Session, workspace_id: int, status: str | None, name: str | None
) -> list[Client]:
    """Clients by status (active by default, archived, both) and name substring, by name."""
    status = status or "active"
    if status not in STATUSES:
        raise BadRequest("Client status is invalid")
    query = select(Client).where(
        Client.workspace_id == workspace_id, Client.server_deleted_at.is_(None)
    )
    if status != "both":
        query = query.where(Client.archived.is_(status == "archived"))
    found = list(session.scalars(query))
    if name:
        needle = name.casefold()
        found = [c for c in found if needle in c.name.casefold()]
    return sorted(found, key=lambda c: (c.name.casefold(), c.id))
