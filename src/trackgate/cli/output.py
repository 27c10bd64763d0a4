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


def emit_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, computed: Sequence[str] = ()
) -> None:
    """Rows as CSV, one ``\\n``-terminated line each. Every text cell came from the server (a
    description, a name) and is written so a spreadsheet shows it as text, never as a formula
    (:func:`trackgate.csv_cells.text_cell`); numbers, booleans and the ``computed`` columns
    (text the CLI composed from numbers, such as ``12.50 EUR``) are written as they are."""
    import csv
    import io

    own = {i for i, name in enumerate(header) if name in computed}
    # Quoting follows the terminator: with "\r\n" a cell holding a CR is quoted (with "\n" it
    # would not be, and the CR would end the row for a reader); each line then ends in "\n".
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[Any]) -> None:
        writer.writerow(cells)
        sys.stdout.write(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()

    line(header)
    for row in rows:
        line([_cell(cell, i in own) for i, cell in enumerate(row)])


def _cell(value: Any, computed: bool) -> Any:
    from trackgate.csv_cells import text_cell

    if value is None:
        return ""
    return text_cell(value) if isinstance(value, str) and not computed else value


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
