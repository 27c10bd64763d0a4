"""People named by imported data, matched by e-mail: an existing user receives the data, one
who does not exist is created without a password (an admin can invite them later)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.crypto import Keyring
from trackgate.service import teams
from trackgate.service.errors import BadRequest
from trackgate.service.users import NewUser, create_user, user_by_email, validate_email
from trackgate.storage.models import Organization, User, Workspace, WorkspaceMember
from trackgate.transfer.toggl_refs import Refs
from trackgate.transfer.toggl_summary import Summary


class ImportRefused(Exception):
    """Data the import cannot use; the message is for the person running it."""


def _zone(name: str | None) -> str:
    from trackgate.zones import zone_named

    return name if name and zone_named(name) is not None else "UTC"


def person(
    session: Session,
    keyring: Keyring,
    summary: Summary,
    email: str,
    *,
    fullname: str = "",
    timezone: str | None = None,
    workspace: Workspace | None = None,
    role: str = "member",
) -> User:
    """The user with this e-mail (created when missing), a member of ``workspace`` if given."""
    try:
        email = validate_email(email)
    except BadRequest:
        raise ImportRefused(f"invalid e-mail address {email!r}") from None
    user = user_by_email(session, email)
    if user is None:
        name = fullname.strip()[:200] or email.split("@")[0]
        spec = NewUser(
            email,
            None,
            name,
            _zone(timezone),
            workspace.id if workspace is not None else None,
            role,
        )
        try:
            user, _token = create_user(session, keyring, spec)
        except BadRequest:
            spec = NewUser(
                email, None, email.split("@")[0], _zone(timezone), spec.workspace_id, role
            )
            user, _token = create_user(session, keyring, spec)
        summary.person(email, True)
        return user
    summary.person(email, False)
    if workspace is not None and not is_member(session, workspace.id, user.id):
        teams.join_workspace(session, workspace, user.id, teams.role_from(role))
    return user


def is_member(session: Session, workspace_id: int, user_id: int) -> bool:
    found = session.get(WorkspaceMember, (workspace_id, user_id))
    return found is not None and found.active


def new_workspace(session: Session, name: str) -> Workspace:
    """An organization and workspace for data that names no existing user."""
    org = Organization(name=name)
    session.add(org)
    session.flush()
    workspace = Workspace(organization_id=org.id, name=name)
    session.add(workspace)
    session.flush()
    return workspace


def first_workspace_of(session: Session, emails: list[str]) -> Workspace | None:
    """The default workspace of the first existing user among ``emails`` (in their order)."""
    wanted = [e.strip().lower() for e in emails]
    found = {u.email: u for u in session.scalars(select(User).where(User.email.in_(set(wanted))))}
    for email in wanted:
        user = found.get(email)
        if user is not None and user.default_workspace_id is not None:
            return session.get(Workspace, user.default_workspace_id)
    return None


def member(
    session: Session,
    keyring: Keyring,
    refs: Refs,
    summary: Summary,
    wire: dict[str, Any],
    workspace: Workspace,
) -> User | None:
    """A Toggl workspace user: the local user with that e-mail, a member with Toggl's role and
    rates. None when Toggl shows no e-mail (the account may not see it)."""
    email = wire.get("email")
    toggl_id = wire.get("uid") or wire.get("user_id") or wire.get("id")
    if not isinstance(email, str) or not email or not isinstance(toggl_id, int):
        return None
    admin = bool(wire.get("admin"))
    user = person(
        session,
        keyring,
        summary,
        email,
        fullname=str(wire.get("name") or wire.get("fullname") or ""),
        timezone=wire.get("timezone") if isinstance(wire.get("timezone"), str) else None,
        workspace=workspace,
        role="admin" if admin else "member",
    )
    refs.put("user", toggl_id, user.id)
    found = session.get(WorkspaceMember, (workspace.id, user.id))
    if found is not None:
        if admin and not found.admin:
            teams.set_role(found, "admin")
        rate = wire.get("rate")
        if isinstance(rate, int | float) and found.rate != float(rate):
            found.rate = float(rate)
        cost = wire.get("labor_cost")
        if isinstance(cost, int | float) and found.labor_cost != float(cost):
            found.labor_cost = float(cost)
    return user
