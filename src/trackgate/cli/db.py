"""``trackgate db``: the database's schema, without serving."""

from __future__ import annotations

from pathlib import Path

import typer

from trackgate.cli.common import DataDirOption, fail, print_json, ready_storage, settings_for
from trackgate.runtime import open_database
from trackgate.storage.migrate import current_revision

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(data_dir: Path | None = DataDirOption) -> None:
    """Apply pending migrations (as `serve` does at start) and print the revision."""
    settings = settings_for(data_dir)
    if settings.is_sqlite:  # making a new database's schema is its job
        ready_storage(settings, create=True)
    try:
        db = open_database(settings)
    except Exception as exc:  # noqa: BLE001 - a database that cannot be opened or migrated
        fail(f"cannot upgrade the database: {exc.__class__.__name__}: {exc}")
    try:
        print_json({"revision": current_revision(db.engine)})
    finally:
        db.dispose()
