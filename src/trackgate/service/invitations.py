"""Invitations to an organization's workspaces. Every address gets a pending invitation, whether
it has an account or not: its owner accepts it (``POST /organizations/invitations/{code}/accept``,
after signing up if need be) or rejects it (``.../reject``), and joins nothing before. The answer
to the sender is the same for both, so it never tells whether an address has an account."""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import Field, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import organizations, teams
from trackgate.service.access import is_admin
from trackgate.service.errors import BadRequest, NotFound, TogglError
from trackgate.service.payloads import Id, Payload, Text
from trackgate.service.users import validate_email
from trackgate.storage.models import Invitation, User, Workspace
from trackgate.storage.types import utcnow

MAX_EMAILS = 100
NOT_FOUND = "Invitation not found"


class InvitedWorkspace(Payload):
    workspace_id: Id
    admin: StrictBool | None = None
    role: Text | None = None


class InvitationPayload(Payload):
    emails: list[Text] = Field(default_factory=list)
    workspaces: list[InvitedWorkspace] = Field(default_factory=list)
    skip_email: StrictBool | None = None


def _places(
    session: Session, sender_id: int, organization_id: int, wanted: list[InvitedWorkspace]
) -> list[dict[str, Any]]:
    """The invited workspaces with their roles; each must be the organization's, and the
    sender its admin (or the organization's)."""
    if not wanted:
        raise BadRequest("At least one workspace is required")
    org_admin = organizations.membership(session, sender_id, organization_id).admin
    places = []
    for item in wanted:
        ws = session.get(Workspace, item.workspace_id)
        if ws is None or ws.organization_id != organization_id:
            raise BadRequest(f"Workspace {item.workspace_id} is not in this organization")
        if not org_admin and not is_admin(session, sender_id, ws.id):
            raise TogglError(403, "Only admins may invite people to a workspace")
        role = teams.role_from(item.role) if item.role else None
        if role is None:
            role = "admin" if item.admin else "member"
        places.append({"workspace_id": ws.id, "role": role})
    return places


def invite(
    session: Session, sender: User, organization_id: int, p: InvitationPayload
) -> list[Invitation]:
    """One pending invitation per address, with or without an account (nobody is looked up)."""
    emails = list(dict.fromkeys(validate_email(e) for e in p.emails))
    if not emails:
        raise BadRequest("At least one e-mail address is required")
    if len(emails) > MAX_EMAILS:
        raise BadRequest(f"At most {MAX_EMAILS} e-mail addresses per request")
    places = _places(session, sender.id, organization_id, p.workspaces)
    made = []
    for email in emails:
        invitation = Invitation(
            organization_id=organization_id,
            email=email,
            code=secrets.token_hex(16),
            sender_id=sender.id,
            workspaces=places,
        )
        session.add(invitation)
        made.append(invitation)
    session.flush()
    return made


def _pending(session: Session, code: str, user: User) -> Invitation:
    if len(code) != 32 or any(ch not in "0123456789abcdef" for ch in code):
        raise NotFound(NOT_FOUND)
    found = session.scalar(select(Invitation).where(Invitation.code == code))
    if (
        found is None
        or found.email != user.email
        or found.accepted_at is not None
        or found.rejected_at is not None
    ):
        raise NotFound(NOT_FOUND)
    return found


def accept(session: Session, code: str, user: User) -> Invitation:
    invitation = _pending(session, code, user)
    teams.join_places(session, user.id, invitation.workspaces)
    invitation.accepted_at = invitation.at = utcnow()
    session.flush()
    return invitation


def reject(session: Session, code: str, user: User) -> Invitation:
    invitation = _pending(session, code, user)
    invitation.rejected_at = invitation.at = utcnow()
    session.flush()
    return invitation
