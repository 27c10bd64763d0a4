"""Connections and their connect sessions, apart from HTTP.

A connection holds one upstream account's credential for a gateway account, and the scopes its
owner granted: the page asks for the most any of the account's live keys may do, and a key
never does more with the connection than it was granted. Its ``url`` opens
the connect page with a single-use *session token*; the token is stored as a digest (to find
the session) and sealed (so the url can be shown again while the session lives). When the
session behind a url is spent, reading the connection issues a fresh one, so the url shown is
always one that works.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from trackgate.crypto import DecryptError, Keyring, digest
from trackgate.gateway import scopes as scope_names
from trackgate.gateway.credential_store import seal_credential
from trackgate.gateway.keys import asked_scopes
from trackgate.storage.database import Database
from trackgate.storage.models import Account, Connection, ConnectSession
from trackgate.storage.types import utcnow

#: Apps a connection can be made for, and the upstream each one calls.
APPS = ("toggl-track",)
STATUSES = ("PENDING", "ACTIVE", "FAILED")
SESSION_LIFETIME = timedelta(minutes=30)
#: A url shown to a caller has at least this long left; otherwise a fresh session is issued.
MIN_URL_LIFETIME = timedelta(minutes=5)
MAX_FAILED_ATTEMPTS = 5
#: PENDING connections an account may have waiting at once (with a link that still works).
MAX_PENDING = 20


def stamp(dt: datetime | None) -> str | None:
    """RFC 3339 with microseconds and ``Z``, as Maton spells connection times."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def session_context(token_digest: str) -> str:
    """Binds a sealed session token to its row."""
    return f"connect_sessions.token:{token_digest}"


def connect_url(root_url: str, token: str) -> str:
    return f"{root_url}/connect?session_token={token}"


# --- connect sessions -----------------------------------------------------------------------


def session_is_live(row: ConnectSession, now: datetime, margin: timedelta = timedelta()) -> bool:
    return (
        row.consumed_at is None
        and row.failed_attempts < MAX_FAILED_ATTEMPTS
        and row.expires_at > now + margin
    )


def issue_session(session: Session, keyring: Keyring, connection_id: str) -> str:
    """A new single-use token for the connect page; spent sessions of the connection go."""
    now = utcnow()
    session.execute(
        delete(ConnectSession).where(
            ConnectSession.connection_id == connection_id,
            or_(
                ConnectSession.consumed_at.is_not(None),
                ConnectSession.failed_attempts >= MAX_FAILED_ATTEMPTS,
                ConnectSession.expires_at <= now,
            ),
        )
    )
    token = secrets.token_urlsafe(32)
    token_digest = digest(token)
    session.add(
        ConnectSession(
            token_digest=token_digest,
            token_ciphertext=keyring.encrypt(token, session_context(token_digest)),
            connection_id=connection_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            failed_attempts=0,
        )
    )
    session.flush()
    return token


def live_tokens(
    session: Session, keyring: Keyring, connection_ids: Iterable[str]
) -> dict[str, str]:
    """connection id -> a token of a live session with time left, for those that have one."""
    ids = list(connection_ids)
    if not ids:
        return {}
    now = utcnow()
    rows = session.scalars(
        select(ConnectSession)
        .where(
            ConnectSession.connection_id.in_(ids),
            ConnectSession.consumed_at.is_(None),
            ConnectSession.failed_attempts < MAX_FAILED_ATTEMPTS,
            ConnectSession.expires_at > now + MIN_URL_LIFETIME,
        )
        .order_by(ConnectSession.expires_at.desc())
    )
    found: dict[str, str] = {}
    for row in rows:
        if row.connection_id in found:
            continue
        try:
            found[row.connection_id] = keyring.decrypt(
                row.token_ciphertext, session_context(row.token_digest)
            )
        except DecryptError:  # sealed by a key no longer in the ring: a fresh one is issued
            continue
    return found


def find_session(session: Session, token: str, *, lock: bool = False) -> ConnectSession | None:
    query = select(ConnectSession).where(ConnectSession.token_digest == digest(token))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


# --- connections ----------------------------------------------------------------------------


class TooManyPending(Exception):
    """The account already has :data:`MAX_PENDING` connections waiting to be completed."""


def pending_count(session: Session, account_id: str, now: datetime) -> int:
    """PENDING connections whose link still works, or that are too new to have one yet."""
    live_session = exists().where(
        ConnectSession.connection_id == Connection.id,
        ConnectSession.consumed_at.is_(None),
        ConnectSession.failed_attempts < MAX_FAILED_ATTEMPTS,
        ConnectSession.expires_at > now,
    )
    query = select(func.count(Connection.id)).where(
        Connection.account_id == account_id,
        Connection.status == "PENDING",
        or_(Connection.created_at > now - SESSION_LIFETIME, live_session),
    )
    return int(session.scalar(query) or 0)


def create_connection(session: Session, account_id: str, app: str) -> Connection:
    """A new PENDING connection; :class:`TooManyPending` past :data:`MAX_PENDING` waiting."""
    if app not in APPS:
        raise LookupError(app)
    now = utcnow()
    # serialises creations per account (SQLite serialises every write already)
    session.scalar(select(Account.id).where(Account.id == account_id).with_for_update())
    if pending_count(session, account_id, now) >= MAX_PENDING:
        raise TooManyPending(account_id)
    connection = Connection(
        id=str(uuid.uuid4()),
        account_id=account_id,
        app=app,
        status="PENDING",
        method=None,
        credential_ciphertext=None,
        details={},
        created_at=now,
        updated_at=now,
    )
    session.add(connection)
    session.flush()
    return connection


def parse_connection_id(text: str) -> str | None:
    """The canonical UUID, or None for anything that cannot be a connection id."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def owned_connection(session: Session, account_id: str, connection_id: str) -> Connection | None:
    """The account's connection; another account's is treated as if it did not exist."""
    canonical = parse_connection_id(connection_id)
    if canonical is None:
        return None
    connection = session.get(Connection, canonical)
    if connection is None or connection.account_id != account_id:
        return None
    return connection


def list_connections(
    session: Session, account_id: str, app: str | None = None, status: str | None = None
) -> list[Connection]:
    query = select(Connection).where(Connection.account_id == account_id)
    if app is not None:
        query = query.where(Connection.app == app)
    if status is not None:
        query = query.where(Connection.status == status)
    return list(session.scalars(query.order_by(Connection.created_at, Connection.id)))


def delete_connection(session: Session, connection: Connection) -> None:
    """Destroy the connection with its sealed credential and every connect session."""
    session.execute(delete(ConnectSession).where(ConnectSession.connection_id == connection.id))
    session.delete(connection)
    session.flush()


@dataclass(frozen=True)
class Verified:
    """What the upstream's ``/me`` said about a credential that works."""

    method: str
    api_token: str
    metadata: dict[str, Any]


def metadata_from_me(me: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": me.get("id"),
        "email": me.get("email"),
        "fullname": me.get("fullname"),
        "default_workspace_id": me.get("default_workspace_id"),
    }


def activate(
    session: Session,
    keyring: Keyring,
    connection: Connection,
    found: Verified,
    *,
    scopes: Iterable[str] = scope_names.ALL,
) -> None:
    """Store a verified credential (replacing any before it) and what its owner granted, and
    mark the connection ACTIVE. Without a consent page (the demo, an operator's own tools) a
    credential grants every scope."""
    connection.credential_ciphertext = seal_credential(keyring, connection.id, found.api_token)
    connection.scopes = scope_names.spell(scopes)
    connection.method = found.method
    connection.details = dict(found.metadata)
    connection.status = "ACTIVE"
    connection.failure_reason = None
    connection.updated_at = utcnow()


def granted_shown(connection: Connection) -> list[str]:
    """What the connection's owner granted; nothing yet while it is PENDING (the grant is
    written when the connect page is completed)."""
    if connection.status == "PENDING":
        return []
    return scope_names.ordered(scope_names.read_stored(connection.scopes))


def connection_json(connection: Connection, url: str | None) -> dict[str, Any]:
    return {
        "connection_id": connection.id,
        "status": connection.status,
        "creation_time": stamp(connection.created_at),
        "last_updated_time": stamp(connection.updated_at),
        "url": url,
        "app": connection.app,
        "method": connection.method,
        "metadata": dict(connection.details or {}),
        "scopes": granted_shown(connection),
        # why a FAILED connection failed, in words (null otherwise)
        "failure_reason": connection.failure_reason if connection.status == "FAILED" else None,
    }


def ensure_tokens(db: Database, keyring: Keyring, connection_ids: Iterable[str]) -> dict[str, str]:
    """A usable session token for every connection given: live ones, else freshly issued.

    Reads first and writes only for connections whose session is spent, so listing stays a
    read in the common case.
    """
    ids = list(connection_ids)
    with db.read() as session:
        tokens = live_tokens(session, keyring, ids)
    missing = [i for i in ids if i not in tokens]
    if missing:
        with db.write() as session:
            tokens.update(live_tokens(session, keyring, missing))
            for connection_id in missing:
                exists = session.get(Connection, connection_id) is not None
                if connection_id not in tokens and exists:
                    tokens[connection_id] = issue_session(session, keyring, connection_id)
    return tokens


# --- the connect page's steps ---------------------------------------------------------------


class SessionUnusable(Exception):
    """A session token that cannot open the connect page, with the status and the reason."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


@dataclass(frozen=True)
class SessionView:
    token_digest: str
    connection_id: str
    app: str
    connection_status: str
    #: the gateway account asking for access, named on the page
    account_name: str
    #: the scopes the page asks for: the most any of the account's live keys may do
    asked: frozenset[str]


#: What the person holding a dead link can do: the link came from whoever asked for access.
_ASK_AGAIN = "Ask whoever sent it to you for a new link."


def usable_session(session: Session, token: str | None, *, lock: bool = False) -> ConnectSession:
    """The live session of a token, or :class:`SessionUnusable` saying why not."""
    if not token:
        raise SessionUnusable(
            400,
            "Link incomplete",
            "This link is missing its last part. Copy the whole link into the address bar, or "
            "ask whoever sent it to you for a new link.",
        )
    row = find_session(session, token, lock=lock)
    if row is None:
        raise SessionUnusable(
            404, "Link not valid", f"This link is not valid or no longer exists. {_ASK_AGAIN}"
        )
    if row.consumed_at is not None:
        raise SessionUnusable(410, "Link already used", f"This link was already used. {_ASK_AGAIN}")
    if row.failed_attempts >= MAX_FAILED_ATTEMPTS:
        raise SessionUnusable(
            410, "Link closed", f"Too many failed attempts closed this link. {_ASK_AGAIN}"
        )
    if row.expires_at <= utcnow():
        raise SessionUnusable(
            410, "Link expired", f"This link has expired (links last 30 minutes). {_ASK_AGAIN}"
        )
    return row


def view_session(session: Session, token: str | None) -> SessionView:
    row = usable_session(session, token)
    connection = session.get(Connection, row.connection_id)
    if connection is None:  # pragma: no cover - sessions are deleted with their connection
        raise SessionUnusable(404, "Link not valid", f"This link no longer exists. {_ASK_AGAIN}")
    account = session.get(Account, connection.account_id)
    account_name = account.name if account is not None else "A gateway account"
    return SessionView(
        row.token_digest,
        connection.id,
        connection.app,
        connection.status,
        account_name,
        asked_scopes(session, connection.account_id),
    )


def record_failure(session: Session, token: str, reason: str) -> int:
    """Count a refused credential; the last allowed failure fails a PENDING connection.

    Returns how many attempts the link has left.
    """
    row = find_session(session, token, lock=True)
    if row is None:
        return 0
    row.failed_attempts += 1
    left = max(0, MAX_FAILED_ATTEMPTS - row.failed_attempts)
    if left == 0:
        connection = session.get(Connection, row.connection_id)
        if connection is not None and connection.status == "PENDING":
            connection.status = "FAILED"
            connection.failure_reason = reason
            connection.updated_at = utcnow()
    return left


def granted_scopes(asked: frozenset[str], ticked: Iterable[str] | None) -> frozenset[str]:
    """What a submitted page grants: the boxes ticked among those asked, and ``read`` always.
    A form sent without any box (a client that fills only the credential) accepts what the
    page offers ticked: everything asked."""
    if ticked is None:
        return asked
    return (frozenset(ticked) & asked) | {scope_names.REQUIRED_GRANT}


def complete_session(
    session: Session,
    keyring: Keyring,
    token: str,
    found: Verified,
    ticked: Iterable[str] | None = None,
) -> Connection:
    """Consume the session and activate its connection with the verified credential and what
    its owner granted (see :func:`granted_scopes`; asked is judged again now)."""
    row = usable_session(session, token, lock=True)
    connection = session.get(Connection, row.connection_id)
    if connection is None:  # pragma: no cover - sessions are deleted with their connection
        raise SessionUnusable(404, "Link not valid", "This connection no longer exists.")
    granted = granted_scopes(asked_scopes(session, connection.account_id), ticked)
    activate(session, keyring, connection, found, scopes=granted)
    row.consumed_at = utcnow()
    session.flush()
    return connection
