"""The schema: the Toggl-compatible service's tables, then the gateway's.

Changing a table here needs an Alembic migration in ``storage/migrations/versions``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym

from trackgate.storage.types import UtcDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Stamped:
    """Creation and last-modification instants, kept by the domain code."""

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- the Toggl-compatible service -------------------------------------------------------


class Organization(Stamped, Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))


class User(Stamped, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    fullname: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    api_token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    api_token_ciphertext: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    beginning_of_week: Mapped[int] = mapped_column(Integer, default=1)
    country_id: Mapped[int | None] = mapped_column(Integer)
    default_workspace_id: Mapped[int | None] = mapped_column(Id)
    toggl_accounts_id: Mapped[str] = mapped_column(String(22))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    authorization_updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Workspace(Stamped, Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    default_currency: Mapped[str] = mapped_column(String(8), default="USD")
    default_hourly_rate: Mapped[float | None] = mapped_column(Float)
    rounding: Mapped[int] = mapped_column(Integer, default=1)
    rounding_minutes: Mapped[int] = mapped_column(Integer, default=0)
    projects_billable_by_default: Mapped[bool] = mapped_column(Boolean, default=True)
    projects_private_by_default: Mapped[bool] = mapped_column(Boolean, default=True)
    projects_enforce_billable: Mapped[bool] = mapped_column(Boolean, default=False)
    only_admins_may_create_projects: Mapped[bool] = mapped_column(Boolean, default=False)
    only_admins_may_create_tags: Mapped[bool] = mapped_column(Boolean, default=False)
    only_admins_see_billable_rates: Mapped[bool] = mapped_column(Boolean, default=False)
    only_admins_see_team_dashboard: Mapped[bool] = mapped_column(Boolean, default=False)
    reports_collapse: Mapped[bool] = mapped_column(Boolean, default=True)
    limit_public_project_data: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkspaceMember(Stamped, Base):
    __tablename__ = "workspace_members"
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(32), default="member")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rate: Mapped[float | None] = mapped_column(Float)
    rate_last_updated: Mapped[datetime | None] = mapped_column(UtcDateTime)
    labor_cost: Mapped[float | None] = mapped_column(Float)
    working_hours_in_minutes: Mapped[int | None] = mapped_column(Integer)


class OrganizationMember(Stamped, Base):
    """A user's place in an organization: ``admin`` may change it; one ``owner`` made it."""

    __tablename__ = "organization_members"
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[bool] = mapped_column(Boolean, default=False)


class Invitation(Stamped, Base):
    """An invitation to an organization's workspaces for an e-mail, pending until its owner
    (with an account already or once signed up) accepts or rejects it."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    workspaces: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserPreferences(Base):
    """What a client stored with ``POST /me/preferences[/{client}]``; ``client`` "" for all."""

    __tablename__ = "user_preferences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Client(Stamped, Base):
    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    notes: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    creator_id: Mapped[int] = mapped_column(Id)
    server_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Project(Stamped, Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(Id)
    name: Mapped[str] = mapped_column(String(255))
    is_private: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    color: Mapped[str] = mapped_column(String(7), default="#0b83d9")
    billable: Mapped[bool] = mapped_column(Boolean, default=False)
    template: Mapped[bool] = mapped_column(Boolean, default=False)
    template_id: Mapped[int | None] = mapped_column(Id)
    auto_estimates: Mapped[bool] = mapped_column(Boolean, default=False)
    estimated_seconds: Mapped[int | None] = mapped_column(BigInteger)
    rate: Mapped[float | None] = mapped_column(Float)
    rate_last_updated: Mapped[datetime | None] = mapped_column(UtcDateTime)
    currency: Mapped[str | None] = mapped_column(String(8))
    fixed_fee: Mapped[float | None] = mapped_column(Float)
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    recurring_parameters: Mapped[Any | None] = mapped_column(JSON)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    creator_id: Mapped[int] = mapped_column(Id)
    server_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProjectUser(Stamped, Base):
    """A member of a project: sees it when private; its own rate and labor cost there."""

    __tablename__ = "project_users"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    manager: Mapped[bool] = mapped_column(Boolean, default=False)
    rate: Mapped[float | None] = mapped_column(Float)
    rate_last_updated: Mapped[datetime | None] = mapped_column(UtcDateTime)
    labor_cost: Mapped[float | None] = mapped_column(Float)
    labor_cost_last_updated: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("uq_project_users_project_user", "project_id", "user_id", unique=True),)


class ProjectPin(Base):
    __tablename__ = "project_pins"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)


class Task(Stamped, Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    estimated_seconds: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(Id)
    rate: Mapped[float | None] = mapped_column(Float)
    server_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Tag(Stamped, Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    creator_id: Mapped[int] = mapped_column(Id)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TimeEntry(Stamped, Base):
    """A span of tracked time; ``stop`` is null while it runs (at most one per user)."""

    __tablename__ = "time_entries"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[int | None] = mapped_column(Id, index=True)
    task_id: Mapped[int | None] = mapped_column(Id)
    billable: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    stop: Mapped[datetime | None] = mapped_column(UtcDateTime)
    running: Mapped[bool] = mapped_column(Boolean, default=False)
    tag_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_with: Mapped[str] = mapped_column(String(255), default="")
    server_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_time_entries_user_start", "user_id", "start"),
        Index("ix_time_entries_user_at", "user_id", "at"),
        Index("ix_time_entries_workspace_start", "workspace_id", "start", "id"),
        Index(
            "uq_time_entries_one_running",
            "user_id",
            unique=True,
            sqlite_where=text("running AND server_deleted_at IS NULL"),
            postgresql_where=text("running AND server_deleted_at IS NULL"),
        ),
    )


# --- the gateway ---------------------------------------------------------------------------


class Meta(Base):
    """Small facts about the database itself, such as the fingerprint of its secret key."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


#: What a key or a connection made before scopes existed may do: everything (the scope names
#: of ``trackgate.gateway.scopes``, spelled as it stores them).
FULL_POWER = "read time:write catalog:write admin"


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: set by an operator: the account's keys are refused until it is enabled again
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiKey(Base):
    """A gateway key; only its digest is kept, the key itself is shown once."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(255))
    #: what the key may do, space-separated (see ``trackgate.gateway.scopes``)
    scopes: Mapped[str] = mapped_column(String(64), server_default=FULL_POWER)
    #: upstream requests per hour the key may cause; None: no budget of its own
    budget: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Connection(Base):
    """One upstream account's credential, held for a gateway account."""

    __tablename__ = "connections"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    app: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    method: Mapped[str | None] = mapped_column(String(16))
    credential_ciphertext: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    #: what the connection's owner granted on the connect page, space-separated; a key does
    #: no more with the connection than this (written when the page is completed)
    scopes: Mapped[str] = mapped_column(String(64), server_default=FULL_POWER)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: when the upstream last accepted the credential (as noted by the health check, which
    #: also sets it when it takes the connection for a check); None: not since it was stored
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConnectSession(Base):
    """A single-use link to the connect page; the token is kept encrypted to show the url."""

    __tablename__ = "connect_sessions"
    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_ciphertext: Mapped[str] = mapped_column(Text)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# --- the web console's people -------------------------------------------------------------


class ConsoleMember(Base):
    """A person who signs in to the console; an operator sees and runs the whole instance."""

    __tablename__ = "console_members"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsoleMembership(Base):
    """A member's place in a gateway account: ``owner``, ``admin`` or ``member``."""

    __tablename__ = "console_memberships"
    member_id: Mapped[str] = mapped_column(ForeignKey("console_members.id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsoleInvite(Base):
    """A one-time sign-up link; only its digest is kept."""

    __tablename__ = "console_invites"
    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(16))
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConsoleSession(Base):
    """A signed-in browser; the cookie holds the id, the row only its digest."""

    __tablename__ = "console_sessions"
    id_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("console_members.id"), index=True)
    #: the account the console shows (one the member belongs to), if any
    account_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- the quota shield's mirror of each connection's upstream account ------------------------
# Instants the shield reasons about are epoch seconds (floats): compared, never shown.


class ShieldMirror(Base):
    """One connection's mirror: whose credential filled it, and the refresh lease."""

    __tablename__ = "shield_mirrors"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    credential_digest: Mapped[str] = mapped_column(String(64))
    #: moves on at every change of ``credential_digest``: a read that finds it unchanged
    #: after reading the objects knows they were all written for the same credential
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: moves on at every change of what the mirror holds (objects, states, the binding): a
    #: process's copy in memory is current while the row's version is the copy's
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_holder: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[float | None] = mapped_column(Float)


class ShieldKind(Base):
    """How fresh one kind of object (time entries, projects, ...) of a mirror is."""

    __tablename__ = "shield_kinds"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: when (our clock) the last refresh asked the upstream
    fetched_at: Mapped[float] = mapped_column(Float)
    #: a write whose effects the mirror could not apply exactly (our clock)
    dirty_at: Mapped[float | None] = mapped_column(Float)
    #: the next incremental refresh asks for changes since this (upstream clock)
    since: Mapped[float | None] = mapped_column(Float)
    #: time entries: every entry starting at or after this is held (upstream clock)
    covered_from: Mapped[float | None] = mapped_column(Float)
    #: catalog kinds: when (our clock) they were last listed whole (the same column)
    listed_at: Mapped[float | None] = synonym("covered_from")
    #: time entries: ``since`` queries from this instant on can be answered
    changes_from: Mapped[float | None] = mapped_column(Float)
    #: fresh without polling until this instant (our clock): the upstream's events for
    #: this kind reach the mirror and were last heard shortly before (see ``shield.hooks``)
    events_until: Mapped[float | None] = mapped_column(Float)


class ShieldObject(Base):
    """One upstream object, as the upstream's own JSON text in read spelling."""

    __tablename__ = "shield_objects"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: place in the upstream's listing, for kinds whose order is the upstream's
    position: Mapped[int] = mapped_column(Integer, default=0)
    workspace_id: Mapped[int | None] = mapped_column(BigInteger)
    start: Mapped[float | None] = mapped_column(Float)
    at: Mapped[float | None] = mapped_column(Float)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)


class ShieldHook(Base):
    """One upstream webhook subscription that keeps a connection's mirror fresh: one per
    connection and workspace, received at ``/hooks/toggl/{id}``."""

    __tablename__ = "shield_hooks"
    #: opaque: the path the upstream posts to, and nothing else
    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    workspace_id: Mapped[int] = mapped_column(BigInteger)
    #: the upstream's subscription id, once created
    subscription_id: Mapped[int | None] = mapped_column(BigInteger)
    #: the subscription's signing secret, sealed like credentials
    secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    #: the credential (digest) that subscribed: its events patch only a mirror bound to it
    credential_digest: Mapped[str] = mapped_column(String(64))
    url_callback: Mapped[str] = mapped_column(Text)
    validated_at: Mapped[float | None] = mapped_column(Float)
    #: when (our clock) a delivery last arrived, event or ping
    heard_at: Mapped[float | None] = mapped_column(Float)
    #: when (our clock) the last ping was asked for
    pinged_at: Mapped[float | None] = mapped_column(Float)


class ShieldHookEvent(Base):
    """An event id a hook received: a second delivery of it is a replay, refused."""

    __tablename__ = "shield_hook_events"
    hook_id: Mapped[str] = mapped_column(
        ForeignKey("shield_hooks.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[float] = mapped_column(Float, index=True)


class ShieldQuota(Base):
    """The last quota the upstream reported for one bucket of a connection."""

    __tablename__ = "shield_quotas"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    #: "user", or "organization:<id>"
    bucket: Mapped[str] = mapped_column(String(48), primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(Integer)
    resets_in: Mapped[int] = mapped_column(Integer)
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- the service's webhooks ----------------------------------------------------------------


class WebhookSubscription(Base):
    """Where a workspace's events go: Toggl's Webhooks API v1 subscription, and the lease
    of the delivery worker that is posting its events (one at a time, in order)."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(255))
    url_callback: Mapped[str] = mapped_column(Text)
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    event_filters: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    validation_code: Mapped[str] = mapped_column(String(64))
    validated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_holder: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("uq_webhook_subscriptions_description", "workspace_id", "description", unique=True),
    )


class WebhookEvent(Base):
    """One change, recorded in the transaction that made it (the outbox)."""

    __tablename__ = "webhook_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(BigInteger)
    model: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    event_user_id: Mapped[int | None] = mapped_column(BigInteger)
    #: Toggl's ``metadata`` object, as JSON text
    meta: Mapped[str] = mapped_column(Text)
    #: the entity as the v9 API spells it, as JSON text
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class WebhookDelivery(Base):
    """One event owed to one subscription; delivered in ``id`` order per subscription."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    #: pending, delivered or failed (given up)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    failed_delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_delivery_attempt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_delivery_error: Mapped[str | None] = mapped_column(Text)
    #: when (epoch seconds) the next attempt is due
    next_attempt_at: Mapped[float] = mapped_column(Float, default=0.0)

    __table_args__ = (Index("ix_webhook_deliveries_queue", "subscription_id", "state", "id"),)


# --- imports from Toggl Track ---------------------------------------------------------------


class ImportRef(Base):
    """Which local row an object imported from elsewhere became: a second import of the same
    object updates that row instead of adding another."""

    __tablename__ = "import_refs"
    #: where the object came from, e.g. "toggl" (Toggl's ids are global) or "toggl@host:port"
    source: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    toggl_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    local_id: Mapped[int] = mapped_column(BigInteger)


class ImportCheckpoint(Base):
    """How far an interrupted import got (a span of time entries fetched, a page cursor), so
    running the same command again continues there instead of asking the upstream again."""

    __tablename__ = "import_checkpoints"
    source: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
