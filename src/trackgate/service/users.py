"""Users: creation with an organization and workspace of their own, tokens, look-ups."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trackgate.crypto import Keyring, KeyUnavailable, digest
from trackgate.service import teams
from trackgate.service.errors import BadRequest, ServiceUnavailable
from trackgate.service.passwords import hash_password
from trackgate.storage.database import Database
from trackgate.storage.models import Organization, User, Workspace
from trackgate.storage.plain import PlainQuery
from trackgate.storage.records import USER_COLUMNS, UserRecord, user_record
from trackgate.storage.types import utcnow

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_api_token() -> str:
    """32 lowercase hex characters, like Toggl's."""
    return secrets.token_hex(16)


def token_context(user_id: int) -> str:
    """Binds a stored token's ciphertext to its row, so ciphertexts cannot be swapped."""
    return f"users.api_token:{user_id}"


@dataclass(frozen=True)
class NewUser:
    email: str
    password: str | None
    fullname: str = ""
    timezone: str = "UTC"
    workspace_id: int | None = None  # join this workspace instead of making one
    role: str = "member"  # the role there: member or admin


MAX_NAME_BYTES = 255


def _storable(text: str) -> bool:
    """No control characters (NUL above all) and valid Unicode: what every database keeps."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if (
        not local
        or "@" in domain
        or "." not in domain.strip(".")
        or len(email) > 255
        or any(ch.isspace() for ch in email)
        or not _storable(email)
    ):
        raise BadRequest("Invalid e-mail address")
    return email


def validate_fullname(name: str) -> str:
    name = name.strip()
    if not name or len(name.encode("utf-8", "replace")) > MAX_NAME_BYTES or not _storable(name):
        raise BadRequest(f"Full name must be 1 to {MAX_NAME_BYTES} bytes of text")
    return name


def validate_timezone(name: str) -> str:
    from trackgate.zones import zone_named

    if zone_named(name) is None:
        raise BadRequest(f"Invalid timezone: {name}")
    return name


def create_user(session: Session, keyring: Keyring, spec: NewUser) -> tuple[User, str]:
    """Create a user with their own organization and workspace, or as a member of
    ``spec.workspace_id``. Returns the user and token."""
    email = validate_email(spec.email)
    role = teams.role_from(spec.role)
    joined = session.get(Workspace, spec.workspace_id) if spec.workspace_id is not None else None
    if spec.workspace_id is not None and joined is None:
        raise BadRequest(f"Workspace {spec.workspace_id} does not exist")
    timezone = validate_timezone(spec.timezone)
    if spec.password is not None and len(spec.password) < 6:
        raise BadRequest("Password must be at least 6 characters long")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise BadRequest("user with this email already exists")
    token = new_api_token()
    fullname = validate_fullname(spec.fullname or email.split("@")[0])
    user = User(
        email=email,
        fullname=fullname,
        password_hash=hash_password(spec.password) if spec.password else None,
        api_token_digest=digest(token),
        api_token_ciphertext="",
        timezone=timezone,
        toggl_accounts_id="".join(secrets.choice(_ALPHANUMERIC) for _ in range(22)),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise BadRequest("user with this email already exists") from exc
    user.api_token_ciphertext = keyring.encrypt(token, token_context(user.id))
    if joined is not None:
        teams.join_workspace(session, joined, user.id, role)
        user.default_workspace_id = joined.id
        session.flush()
        return user, token
    org = Organization(name=f"{fullname}'s organization")
    session.add(org)
    session.flush()
    teams.join_organization(session, org.id, user.id, admin=True).owner = True
    workspace = Workspace(organization_id=org.id, name=f"{fullname}'s workspace")
    session.add(workspace)
    session.flush()
    teams.join_workspace(session, workspace, user.id, "admin")
    user.default_workspace_id = workspace.id
    session.flush()
    return user, token


def reveal_token(keyring: Keyring, user: User | UserRecord) -> str:
    """The user's API token; 503 while a key rotation in another process sealed it with a key
    this one has not loaded yet."""
    try:
        return keyring.decrypt(user.api_token_ciphertext, token_context(user.id))
    except KeyUnavailable as exc:
        raise ServiceUnavailable(
            "The server is loading a new encryption key; try again in a moment", 1
        ) from exc


def reset_token(session: Session, keyring: Keyring, user: User) -> str:
    token = new_api_token()
    user.api_token_digest = digest(token)
    user.api_token_ciphertext = keyring.encrypt(token, token_context(user.id))
    user.authorization_updated_at = user.at = user.updated_at = utcnow()
    return token


#: Every authenticated call runs it: built once, read past the ORM (see storage.plain).
_BY_TOKEN_DIGEST = PlainQuery(
    select(*USER_COLUMNS).where(User.api_token_digest == bindparam("token_digest"))
)


def user_by_token(db: Database, token: str) -> UserRecord | None:
    row = db.plain_row(_BY_TOKEN_DIGEST, {"token_digest": digest(token)})
    return user_record(row) if row is not None else None


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))
