"""gateway keys: scopes and budgets

Revision ID: 0005
Revises: 0004

A key carries the scopes it may use and, optionally, a budget of upstream requests per hour.
Keys made before this revision keep every scope, ``admin`` included: nothing that worked
stops working on upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FULL_POWER = "read time:write catalog:write admin"


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=64), server_default=FULL_POWER, nullable=False)
        )
        batch_op.add_column(sa.Column("budget", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("budget")
        batch_op.drop_column("scopes")
