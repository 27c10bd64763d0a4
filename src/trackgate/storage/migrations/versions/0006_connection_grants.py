"""connections: the scopes their owner granted

Revision ID: 0006
Revises: 0005

The connect page asks the person connecting for scopes, and a key does no more with a
connection than it was granted. Connections made before this revision were consented to under
the old, all-encompassing wording and keep every scope; a reconnect asks again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FULL_POWER = "read time:write catalog:write admin"


def upgrade() -> None:
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=64), server_default=FULL_POWER, nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_column("scopes")
