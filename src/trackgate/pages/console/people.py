"""The console's people, apart from HTTP: members, their accounts, invitations and sessions.

A *member* signs in with an email and a password (argon2id, the service's hasher) and belongs
to gateway accounts as ``owner``, ``admin`` or ``member``; an *operator* runs the instance.
Invitations and sessions are random tokens held by the browser; only their digests are
stored, so a copy of the database opens no session. A session ends after
:data:`SESSION_IDLE` without use or :data:`SESSION_ABSOLUTE` after sign-in, and at once on
sign-out on every replica (the row is the session).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from trackgate.crypto import digest
from trackgate.gateway.keys import create_account
from trackgate.service.passwords import hash_password, verified, verify_decoy
from trackgate.storage.models import (
    Account,
    ConsoleInvite,
    ConsoleMember,
    ConsoleMembership,
    ConsoleSession,
)
from trackgate.storage.types import utcnow

ROLES = ("owner", "admin", "member")
SIGNUP_MODES = ("closed", "invite", "open")
INVITE_LIFETIME = timedelta(days=7)
SESSION_IDLE = timedelta(hours=12)
SESSION_ABSOLUTE = timedelta(days=7)
#: A session's last use is written at most this often (reads stay reads).
SEEN_RESOLUTION = timedelta(minutes=1)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class MemberExists(Exception):
    """A member with this email exists already."""


def normalise_email(email: str) -> str:
    """The email as stored and compared; ValueError for one that cannot be an address."""
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or len(email) > 255 or any(c.isspace() for c in email):
        raise ValueError("an email address such as someone@example.com")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password of at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password of at most {MAX_PASSWORD} characters")


def member_by_email(session: Session, email: str) -> ConsoleMember | None:
    try:
        email = normalise_email(email)
    except ValueError:
        return None
    return session.scalar(select(ConsoleMember).where(ConsoleMember.email == email))


def create_member(
    session: Session, email: str, password: str, *, operator: bool = False
) -> ConsoleMember:
    """A new member; ValueError for a bad email or password, MemberExists for a taken email."""
    email = normalise_email(email)
    check_password(password)
    if member_by_email(session, email) is not None:
        raise MemberExists(email)
    member = ConsoleMember(
        id=str(uuid.uuid4()),
        email=email,
        password_hash=hash_password(password),
        operator=operator,
        created_at=utcnow(),
    )
    session.add(member)
    session.flush()
    return member


def join(session: Session, member_id: str, account_id: str, role: str) -> None:
    """Make the member one of the account's people (or change their role there)."""
    if role not in ROLES:
        raise ValueError(f"a role among {', '.join(ROLES)}")
    found = session.get(ConsoleMembership, (member_id, account_id))
    if found is None:
        session.add(
            ConsoleMembership(
                member_id=member_id, account_id=account_id, role=role, created_at=utcnow()
            )
        )
    else:
        found.role = role
    session.flush()


@dataclass(frozen=True)
class Place:
    """One account a member belongs to, as the console names it."""

    account_id: str
    name: str
    role: str
    disabled: bool


def places(session: Session, member_id: str) -> list[Place]:
    rows = session.execute(
        select(Account.id, Account.name, Account.disabled_at, ConsoleMembership.role)
        .join(ConsoleMembership, ConsoleMembership.account_id == Account.id)
        .where(ConsoleMembership.member_id == member_id)
        .order_by(ConsoleMembership.created_at, Account.id)
    )
    return [Place(r.id, r.name, r.role, r.disabled_at is not None) for r in rows]


def check_sign_in(session: Session, email: str, password: str) -> ConsoleMember | None:
    """The member whose password this is, or None (as slow for an unknown email)."""
    member = member_by_email(session, email)
    if member is None or len(password) > MAX_PASSWORD:
        verify_decoy(password[:MAX_PASSWORD])
        return None
    return member if verified.verify(member.password_hash, password) else None


# --- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvite:
    token: str
    email: str
    account_id: str | None
    role: str
    operator: bool
    expires_at: datetime


def invite_path(token: str) -> str:
    return f"/console/signup?invite={token}"


def create_invite(
    session: Session, email: str, account_id: str | None, role: str, *, operator: bool = False
) -> IssuedInvite:
    """A one-time sign-up link for ``email``; LookupError for an unknown account, ValueError
    for a bad email or role, or no account for someone who is not an operator."""
    try:
        email = normalise_email(email)
    except ValueError as exc:
        raise ValueError(f"--email must be {exc}") from None
    if role not in ROLES:
        raise ValueError(f"--role must be one of {', '.join(ROLES)}")
    if account_id is None and not operator:
        raise ValueError("--account is needed unless the invitation is for an operator")
    if account_id is not None and session.get(Account, account_id) is None:
        raise LookupError(f"no account {account_id}")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ConsoleInvite(
        token_digest=digest(token),
        email=email,
        account_id=account_id,
        role=role,
        operator=operator,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(row)
    session.flush()
    return IssuedInvite(token, email, account_id, role, operator, row.expires_at)


def usable_invite(session: Session, token: str | None) -> ConsoleInvite | None:
    """The invitation behind a link while it is unused and unexpired, else None."""
    if not token or len(token) > 200:
        return None
    row = session.get(ConsoleInvite, digest(token))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


class SignUpRefused(Exception):
    """Why a sign-up cannot be done, in words for the page."""


def accept_invite(session: Session, token: str, password: str) -> ConsoleMember:
    """Spend the invitation: a new member (or, for an email already a member, their place in
    the account once their password is given)."""
    invite = usable_invite(session, token)
    if invite is None:
        raise SignUpRefused("This invitation is not valid, already used, or expired.")
    member = member_by_email(session, invite.email)
    if member is None:
        try:
            member = create_member(session, invite.email, password, operator=invite.operator)
        except ValueError as exc:
            raise SignUpRefused(f"Choose {exc}.") from None
    elif not verified.verify(member.password_hash, password):
        raise SignUpRefused("This email has an account here: give its password to accept.")
    elif invite.operator:
        member.operator = True
    if invite.account_id is not None:
        join(session, member.id, invite.account_id, invite.role)
    invite.used_at = utcnow()
    session.flush()
    return member


def open_sign_up(session: Session, email: str, password: str) -> ConsoleMember:
    """Anyone may join (``TRACKGATE_SIGNUP=open``): a new account, owned by the new member."""
    try:
        member = create_member(session, email, password)
    except ValueError as exc:
        raise SignUpRefused(f"Give {exc}.") from None
    except MemberExists:
        raise SignUpRefused("This email has an account here already: sign in.") from None
    account = create_account(session, member.email)
    join(session, member.id, account.id, "owner")
    return member


# --- sessions -------------------------------------------------------------------------------


def start_session(session: Session, member_id: str, account_id: str | None) -> str:
    """A new session (a new id every sign-in: none is ever reused); the id for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ConsoleSession(
            id_digest=digest(token),
            member_id=member_id,
            account_id=account_id,
            created_at=now,
            seen_at=now,
            expires_at=now + SESSION_ABSOLUTE,
        )
    )
    session.flush()
    return token


def live_session(
    session: Session, token: str | None, now: datetime | None = None
) -> ConsoleSession | None:
    """The session of a cookie while it lives (idle and absolute limits); its last use is
    noted. An ended one is deleted."""
    if not token or len(token) > 200:
        return None
    row = session.get(ConsoleSession, digest(token))
    if row is None:
        return None
    now = now or utcnow()
    if row.expires_at <= now or row.seen_at + SESSION_IDLE <= now:
        session.delete(row)
        session.flush()
        return None
    if now - row.seen_at >= SEEN_RESOLUTION:
        row.seen_at = now
    return row


def end_session(session: Session, token: str | None) -> None:
    if token and len(token) <= 200:
        session.execute(delete(ConsoleSession).where(ConsoleSession.id_digest == digest(token)))


def end_every_session(session: Session, member_id: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.member_id == member_id))
