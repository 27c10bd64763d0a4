"""console: members, their accounts, invitations and sessions; accounts can be disabled

Revision ID: 0008
Revises: 0007

People sign in to the web console: each member belongs to gateway accounts with a role, an
operator runs the whole instance. Invitations and sessions are kept as digests of what the
browser holds. An operator may disable an account: its keys are refused until it is enabled.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackgate.storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, trackgate.storage.types.UtcDateTime(), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(_instant("disabled_at", nullable=True))
    op.create_table(
        "console_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_members")),
        sa.UniqueConstraint("email", name=op.f("uq_console_members_email")),
    )
    op.create_table(
        "console_memberships",
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        _instant("created_at"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["console_members.id"],
            name=op.f("fk_console_memberships_member_id_console_members"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_console_memberships_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("member_id", "account_id", name=op.f("pk_console_memberships")),
    )
    op.create_index(
        op.f("ix_console_memberships_account_id"), "console_memberships", ["account_id"]
    )
    op.create_table(
        "console_invites",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_console_invites_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_console_invites")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        _instant("created_at"),
        _instant("seen_at"),
        _instant("expires_at"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["console_members.id"],
            name=op.f("fk_console_sessions_member_id_console_members"),
        ),
        sa.PrimaryKeyConstraint("id_digest", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_member_id"), "console_sessions", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_member_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_invites")
    op.drop_index(op.f("ix_console_memberships_account_id"), table_name="console_memberships")
    op.drop_table("console_memberships")
    op.drop_table("console_members")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("disabled_at")
