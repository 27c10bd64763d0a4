"""reports: time entries of a workspace in start order

Revision ID: 0004
Revises: 0003

Reports read a workspace's entries by start date, and the detailed report pages through them
in (start, id) order; this index serves both without sorting the whole range.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_time_entries_workspace_start",
        "time_entries",
        ["workspace_id", "start", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_time_entries_workspace_start", table_name="time_entries")
