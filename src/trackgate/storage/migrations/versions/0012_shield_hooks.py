"""shield hooks: the upstream webhook subscriptions that keep mirrors fresh

Revision ID: 0012
Revises: 0011

``shield_hooks`` holds one subscription per connection and workspace (its signing secret
sealed like credentials), ``shield_hook_events`` the event ids received (replays are
refused), and ``shield_kinds.events_until`` how long a kind stays fresh without polling.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shield_kinds") as batch:
        batch.add_column(sa.Column("events_until", sa.Float(), nullable=True))
    op.create_table(
        "shield_hooks",
        sa.Column("id", sa.String(43), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("workspace_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=True),
        sa.Column("secret_ciphertext", sa.Text(), nullable=True),
        sa.Column("credential_digest", sa.String(64), nullable=False),
        sa.Column("url_callback", sa.Text(), nullable=False),
        sa.Column("validated_at", sa.Float(), nullable=True),
        sa.Column("heard_at", sa.Float(), nullable=True),
        sa.Column("pinged_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_shield_hooks_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shield_hooks")),
    )
    op.create_index(op.f("ix_shield_hooks_connection_id"), "shield_hooks", ["connection_id"])
    op.create_table(
        "shield_hook_events",
        sa.Column("hook_id", sa.String(43), nullable=False),
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hook_id"],
            ["shield_hooks.id"],
            name=op.f("fk_shield_hook_events_hook_id_shield_hooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hook_id", "event_id", name=op.f("pk_shield_hook_events")),
    )
    op.create_index(
        op.f("ix_shield_hook_events_received_at"), "shield_hook_events", ["received_at"]
    )


def downgrade() -> None:
    op.drop_table("shield_hook_events")
    op.drop_index(op.f("ix_shield_hooks_connection_id"), table_name="shield_hooks")
    op.drop_table("shield_hooks")
    with op.batch_alter_table("shield_kinds") as batch:
        batch.drop_column("events_until")
