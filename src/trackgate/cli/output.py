"""How the tracking commands print: ``--json`` exactly as the server sent it, ``--csv`` for
spreadsheets, Rich tables for people (Rich is imported only when a table is drawn)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def emit_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])


def emit_table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, header_style="bold")
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*["" if cell is None else str(cell) for cell in row])
    Console().print(table)


def say(message: str) -> None:
    """A line for people (stdout)."""
    sys.stdout.write(message + "\n")


def note(message: str) -> None:
    """A remark that is not data (stderr), so ``--json`` output stays clean."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
