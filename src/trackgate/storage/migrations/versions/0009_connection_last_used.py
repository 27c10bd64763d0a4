"""connections: when the upstream last accepted the credential

Revision ID: 0009
Revises: 0008

The health check (``TRACKGATE_CONNECTION_CHECK``) asks ``GET /me`` only of connections not
used successfully for its interval, and takes each one for a check with a conditional update of
this column, so that one replica checks it per interval.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trackgate.storage.types import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("last_used_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("last_used_at")
