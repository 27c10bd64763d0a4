"""Alembic environment: runs on the connection that trackgate hands it (see migrate.py)."""

from alembic import context

from trackgate.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # the alembic command line, for writing new revisions
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///alembic-dev.db"
    connection = create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
