"""shield: a generation per mirror, moved on by every change of credential, and a version
moved on by every change of what it holds

Revision ID: 0007
Revises: 0006

A read answered from the mirror checks that the mirror is still bound to the credential of the
call, before and after it reads the objects; the generation tells it that no reconnect (to
another user and back again) happened in between. The version lets each process keep a copy of
a mirror in memory and know, with one read of one row, whether it is still what the database
holds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shield_mirrors") as batch:
        batch.add_column(
            sa.Column("generation", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("shield_mirrors") as batch:
        batch.drop_column("version")
        batch.drop_column("generation")
