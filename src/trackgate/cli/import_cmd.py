"""``trackgate import``: data brought into the embedded service.

Each source is one subcommand of this group: ``archive`` (this file) reads back what
``trackgate export --format jsonl`` wrote; ``toggl`` (cli/import_toggl.py) brings a Toggl Track
account, its detailed CSV or its data-export ZIP. A further source adds its command to ``app``
below, from a module of its own, so this file stays a list.
"""

from __future__ import annotations

from pathlib import Path

import typer

from trackgate.cli.common import (
    USAGE_ERROR,
    DataDirOption,
    fail,
    print_json,
    ready_storage,
    settings_for,
)
from trackgate.cli.import_toggl import toggl
from trackgate.transfer.archive_load import ArchiveRefused, import_archive

app = typer.Typer(help="Bring data into the embedded service.", no_args_is_help=True)


@app.command("archive")
def archive(
    # Described in the docstring: an argument's own help row would show a type tag.
    path: Path = typer.Argument(..., metavar="PATH", hidden=True),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Read PATH (written by `export --format jsonl`) back into an empty database.

    Every row comes back as it was (ids, `at`, password hashes, sealed API tokens), so the
    data dir needs the key the archive was written with: its fingerprint is in the archive's
    first line. Nothing is written unless the whole archive is read."""
    settings = settings_for(data_dir)
    if not path.is_file():
        fail(f"no archive at {path}", USAGE_ERROR)
    ready_storage(settings, create=True)
    try:
        counts = import_archive(settings, path)
    except ArchiveRefused as exc:
        fail(str(exc), exc.code)
    print_json({"imported": str(path), "rows": sum(counts.values()), "tables": counts})


app.command("toggl")(toggl)
