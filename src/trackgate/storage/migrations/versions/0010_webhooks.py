"""webhooks: subscriptions, the outbox of events, and their deliveries

Revision ID: 0010
Revises: 0009

Toggl's Webhooks API v1 in the service. Events are written in the transaction of the change
that causes them, with one delivery row per subscription owed the event; the delivery worker
posts them in order per subscription, holding a lease on the subscription row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trackgate.storage.types import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", Id, primary_key=True),
        sa.Column(
            "workspace_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "workspaces.id",
                ondelete="CASCADE",
                name="fk_webhook_subscriptions_workspace_id_workspaces",
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "users.id", ondelete="CASCADE", name="fk_webhook_subscriptions_user_id_users"
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("url_callback", sa.Text(), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("event_filters", sa.JSON(), nullable=False),
        sa.Column("validation_code", sa.String(64), nullable=False),
        sa.Column("validated_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.Column("lease_holder", sa.String(36), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscriptions"),
    )
    op.create_index(
        "ix_webhook_subscriptions_workspace_id", "webhook_subscriptions", ["workspace_id"]
    )
    op.create_index(
        "uq_webhook_subscriptions_description",
        "webhook_subscriptions",
        ["workspace_id", "description"],
        unique=True,
    )
    op.create_table(
        "webhook_events",
        sa.Column("id", Id, primary_key=True),
        sa.Column("workspace_id", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("event_user_id", sa.BigInteger(), nullable=True),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_events"),
    )
    op.create_index("ix_webhook_events_created_at", "webhook_events", ["created_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", Id, primary_key=True),
        sa.Column(
            "subscription_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "webhook_subscriptions.id",
                ondelete="CASCADE",
                name="fk_webhook_deliveries_subscription_id_webhook_subscriptions",
            ),
            nullable=False,
        ),
        sa.Column(
            "event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "webhook_events.id",
                ondelete="CASCADE",
                name="fk_webhook_deliveries_event_id_webhook_events",
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failed_delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("last_delivery_attempt", UtcDateTime(), nullable=True),
        sa.Column("last_delivery_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
    )
    op.create_index("ix_webhook_deliveries_event_id", "webhook_deliveries", ["event_id"])
    op.create_index(
        "ix_webhook_deliveries_queue",
        "webhook_deliveries",
        ["subscription_id", "state", "id"],
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_events")
    op.drop_table("webhook_subscriptions")
