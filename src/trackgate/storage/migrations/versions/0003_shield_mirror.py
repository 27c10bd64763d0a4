"""quota shield mirror

Revision ID: 0003
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackgate.storage.types

revision: str = "0003"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _connection(table: str) -> list[sa.Column[str] | sa.ForeignKeyConstraint]:
    return [
        sa.Column("connection_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f(f"fk_{table}_connection_id_connections"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "shield_mirrors",
        *_connection("shield_mirrors"),
        sa.Column("credential_digest", sa.String(length=64), nullable=False),
        sa.Column("lease_holder", sa.String(length=36), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("connection_id", name=op.f("pk_shield_mirrors")),
    )
    op.create_table(
        "shield_kinds",
        *_connection("shield_kinds"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", sa.Float(), nullable=False),
        sa.Column("dirty_at", sa.Float(), nullable=True),
        sa.Column("since", sa.Float(), nullable=True),
        sa.Column("covered_from", sa.Float(), nullable=True),
        sa.Column("changes_from", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("connection_id", "kind", name=op.f("pk_shield_kinds")),
    )
    op.create_table(
        "shield_objects",
        *_connection("shield_objects"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.BigInteger(), nullable=True),
        sa.Column("start", sa.Float(), nullable=True),
        sa.Column("at", sa.Float(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "connection_id", "kind", "object_id", name=op.f("pk_shield_objects")
        ),
    )
    op.create_table(
        "shield_quotas",
        *_connection("shield_quotas"),
        sa.Column("bucket", sa.String(length=48), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("resets_in", sa.Integer(), nullable=False),
        sa.Column("observed_at", trackgate.storage.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "bucket", name=op.f("pk_shield_quotas")),
    )


def downgrade() -> None:
    for table in ("shield_quotas", "shield_objects", "shield_kinds", "shield_mirrors"):
        op.drop_table(table)
