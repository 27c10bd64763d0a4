"""imports from Toggl Track: external references and checkpoints

Revision ID: 0011
Revises: 0010

``import_refs`` maps an imported object's id at its source to the local row it became, so a
second import updates instead of duplicating; ``import_checkpoints`` records how far an
interrupted live import got.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_refs",
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("toggl_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("local_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "kind", "toggl_id", name=op.f("pk_import_refs")),
    )
    op.create_table(
        "import_checkpoints",
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source", "key", name=op.f("pk_import_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("import_checkpoints")
    op.drop_table("import_refs")
