"""``trackgate serve --demo``: a demo user, gateway account, key and ACTIVE connection.

The user, account and connection are made once and found again on later runs through ids
kept in the ``meta`` table; every run issues a new key and revokes the demo keys before it, so
only the key printed last works. The demo needs both the embedded service (its user) and the
gateway (its account and connection), so it lives with the command that wires the two.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from sqlalchemy.orm import Session

from trackgate.cli.common import USAGE_ERROR, fail
from trackgate.config import Settings
from trackgate.gateway import scopes
from trackgate.gateway.connections import Verified, activate, create_connection
from trackgate.gateway.keys import create_account, issue_key, list_keys, revoke_key
from trackgate.invalidation import CONNECTION, KEY, Invalidation
from trackgate.runtime import Runtime
from trackgate.service.users import NewUser, create_user, reveal_token, user_by_email
from trackgate.storage.models import Account, Connection, Meta, User

DEMO_EMAIL = "demo@trackgate.local"
DEMO_FULLNAME = "Demo User"
DEMO_ACCOUNT_NAME = "demo"
DEMO_APP = "toggl-track"
DEMO_KEY_NAME = "demo"
_ACCOUNT_KEY = "demo.account_id"
_CONNECTION_KEY = "demo.connection_id"


class DemoUnavailable(Exception):
    """Demo mode cannot run with this configuration."""


@dataclass(frozen=True)
class Demo:
    user_id: int
    account_id: str
    connection_id: str
    key_id: str
    api_key: str


def _remembered(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else None


def _remember(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def _demo_user(session: Session, runtime: Runtime) -> User:
    user = user_by_email(session, DEMO_EMAIL)
    if user is None:
        user, _ = create_user(session, runtime.keyring, NewUser(DEMO_EMAIL, None, DEMO_FULLNAME))
    return user


def _demo_account(session: Session) -> Account:
    account_id = _remembered(session, _ACCOUNT_KEY)
    account = session.get(Account, account_id) if account_id else None
    if account is None:
        account = create_account(session, DEMO_ACCOUNT_NAME)
        _remember(session, _ACCOUNT_KEY, account.id)
    return account


def _demo_connection(session: Session, runtime: Runtime, account: Account, user: User) -> str:
    """The demo connection, made if missing; its credential follows the user's current token."""
    connection_id = _remembered(session, _CONNECTION_KEY)
    connection = session.get(Connection, connection_id) if connection_id else None
    if connection is None or connection.account_id != account.id:
        connection = create_connection(session, account.id, DEMO_APP)
        _remember(session, _CONNECTION_KEY, connection.id)
    metadata = {
        "user_id": user.id,
        "email": user.email,
        "fullname": user.fullname,
        "default_workspace_id": user.default_workspace_id,
    }
    token = reveal_token(runtime.keyring, user)
    verified = Verified("API_KEY", token, metadata)
    activate(session, runtime.keyring, connection, verified, scopes=scopes.ALL)
    return connection.id


def _revoke_earlier_keys(session: Session, account: Account) -> list[str]:
    """The demo keys printed by earlier runs stop working: only the newest one is shown."""
    revoked = []
    for key in list_keys(session, account.id):
        if key.name == DEMO_KEY_NAME and key.revoked_at is None:
            revoked.append(revoke_key(session, key.id).id)
    return revoked


def check_demo_possible(settings: Settings) -> None:
    """The demo user lives in the embedded service: refuse another upstream before any write."""
    if settings.upstream_url or not settings.service_enabled:
        raise DemoUnavailable(
            "--demo needs the embedded service as upstream; drop --upstream / TRACKGATE_TOGGL_URL"
        )


def ensure_demo(runtime: Runtime) -> Demo:
    """Make or reuse the demo objects; issue a new demo key and revoke the earlier ones."""
    check_demo_possible(runtime.settings)
    with runtime.db.write() as session:
        user = _demo_user(session, runtime)
        account = _demo_account(session)
        connection_id = _demo_connection(session, runtime, account, user)
        revoked = _revoke_earlier_keys(session, account)
        # the demo's account and user are the operator's own: its key may do everything
        issued = issue_key(session, account.id, name=DEMO_KEY_NAME, scopes=scopes.ALL)
        demo = Demo(user.id, account.id, connection_id, issued.key_id, issued.api_key)
    # committed: running servers drop the earlier keys and the connection's old credential
    for key_id in revoked:
        runtime.invalidations.announce(Invalidation(KEY, key_id))
    runtime.invalidations.announce(Invalidation(CONNECTION, connection_id, demo.account_id))
    return demo


def run_demo(runtime: Runtime) -> None:
    """Make (once) or reuse the demo objects and print ``export MATON_API_KEY=...``."""
    try:
        demo = ensure_demo(runtime)
    except DemoUnavailable as exc:
        fail(str(exc), USAGE_ERROR)
    sys.stdout.write(f"export MATON_API_KEY={demo.api_key}\n")
    sys.stdout.flush()
    root = runtime.settings.root_url
    sys.stderr.write(
        f"trackgate: demo account {demo.account_id} is ready with an ACTIVE toggl-track "
        f"connection; earlier demo keys are revoked. Paste the export line above into "
        f"another shell, then try: "
        f'curl -H "Authorization: Bearer $MATON_API_KEY" {root}/toggl-track/api/v9/me\n'
    )
    sys.stderr.flush()
