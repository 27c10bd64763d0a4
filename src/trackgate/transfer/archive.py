"""The lossless archive: every row the service holds, one JSON object a line.

Which tables go in is read from the schema, not listed: every table of the metadata except
the database's own facts (``meta``: the key's fingerprint goes in the header instead) and
the gateway's tables holding upstream credentials sealed with the key (``connections``,
``connect_sessions``), with every table hanging on them by a foreign key (the quota shield's
mirrors, which are caches of those upstream accounts). A table added later is archived
without anyone remembering to add it.

Rows are written table by table in dependency order and by primary key, with their stored
values (ids, ``at``, password hashes, sealed API tokens), so the same database always gives
the same bytes, and reading an archive into an empty database gives it back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import Date, Integer, Table, func, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from trackgate.storage.models import Base, Meta
from trackgate.storage.types import UtcDateTime

FORMAT = "trackgate-archive"
VERSION = 1
#: Gateway tables holding upstream credentials sealed with the key: never archived.
SEALED_CREDENTIALS = frozenset({"connections", "connect_sessions"})
BATCH = 1000


class ArchiveError(Exception):
    """An archive that cannot be read into this database; the message says why."""


def excluded_tables() -> frozenset[str]:
    """``meta``, the sealed-credential tables, and every table that refers to one of them."""
    out = set(SEALED_CREDENTIALS) | {Meta.__tablename__}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name not in out and any(
                fk.column.table.name in out for fk in table.foreign_keys
            ):
                out.add(table.name)
                changed = True
    return frozenset(out)


def archived_tables() -> list[Table]:
    """The tables the archive holds, parents before children."""
    skip = excluded_tables()
    return [t for t in Base.metadata.sorted_tables if t.name not in skip]


def _out(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class Header:
    schema: str | None
    key_fingerprint: str | None
    tables: list[str]


def write_archive(
    session: Session, out: IO[str], *, schema: str | None, key_fingerprint: str | None
) -> dict[str, int]:
    """Write the header, every archived row, and an end line with the count; rows per table."""
    tables = archived_tables()
    out.write(
        _line(
            {
                "format": FORMAT,
                "version": VERSION,
                "schema": schema,
                "key_fingerprint": key_fingerprint,
                "tables": [t.name for t in tables],
            }
        )
    )
    counts: dict[str, int] = {}
    for table in tables:
        names = [c.name for c in table.columns]
        order = list(table.primary_key.columns)
        n = 0
        for row in session.execute(select(table).order_by(*order)).yield_per(BATCH):
            values = dict(zip(names, map(_out, row), strict=True))
            out.write(_line({"table": table.name, "row": values}))
            n += 1
        counts[table.name] = n
    out.write(_line({"end": True, "rows": sum(counts.values())}))
    return counts


def read_header(lines: Iterator[str]) -> Header:
    try:
        head = json.loads(next(lines))
    except (StopIteration, ValueError) as exc:
        raise ArchiveError("not a trackgate archive (no header line)") from exc
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ArchiveError("not a trackgate archive (the first line names no archive format)")
    if head.get("version") != VERSION:
        raise ArchiveError(f"archive format version {head.get('version')} is not {VERSION}")
    key_fp, tables = head.get("key_fingerprint"), head.get("tables", [])
    if not (key_fp is None or isinstance(key_fp, str)) or not isinstance(tables, list):
        raise ArchiveError("the header's key_fingerprint or tables are malformed")
    return Header(head.get("schema"), key_fp, [str(t) for t in tables])


def _reader(table: Table) -> dict[str, Any]:
    """Per column, how a JSON value becomes the stored one (dates and instants parsed)."""
    parse: dict[str, Any] = {}
    for column in table.columns:
        if isinstance(column.type, UtcDateTime):
            parse[column.name] = datetime.fromisoformat
        elif isinstance(column.type, Date):
            parse[column.name] = date.fromisoformat
    return parse


def non_empty_tables(session: Session) -> list[str]:
    return [
        t.name
        for t in archived_tables()
        if session.execute(select(func.count()).select_from(t)).scalar_one()
    ]


def _row(number: int, item: Any, tables: dict[str, Table]) -> tuple[str, dict[str, Any]]:
    """The table and row of a line, values parsed to what the columns store."""
    name = item.get("table") if isinstance(item, dict) else None
    row = item.get("row") if isinstance(item, dict) else None
    if name not in tables or not isinstance(row, dict):
        raise ArchiveError(f"line {number}: not a row of a table this schema archives")
    table = tables[name]
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise ArchiveError(f"line {number}: {name} has no column {sorted(unknown)[0]!r}")
    parse = _reader(table)
    try:
        return name, {
            k: (parse[k](v) if v is not None and k in parse else v) for k, v in row.items()
        }
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"line {number}: {name}: {exc}") from exc


def _end(number: int, item: Any, held: int) -> bool:
    """True for the end line (whose count must be the rows read), False for a row."""
    if not (isinstance(item, dict) and item.get("end") is True):
        return False
    if item.get("rows") != held:
        raise ArchiveError(
            f"line {number}: the archive says {item.get('rows')} rows, it held {held}"
        )
    return True


def load_rows(session: Session, lines: Iterable[str]) -> dict[str, int]:
    """Insert the archive's rows (after its header) in one transaction; rows per table.

    Raises :class:`ArchiveError` on a table or column this schema lacks, a malformed line or
    value, a row the database refuses, or an archive cut short (no end line, or a count that
    differs): the caller's transaction then writes nothing."""
    tables = {t.name: t for t in archived_tables()}
    counts: dict[str, int] = {}
    pending: list[dict[str, Any]] = []
    current: str | None = None
    ended = False
    number = 1

    def flush() -> None:
        if not pending or current is None:
            return
        try:
            session.execute(tables[current].insert(), pending)
        except StatementError as exc:
            reason = (str(exc.orig or exc).strip().splitlines() or [""])[0]
            raise ArchiveError(
                f"the database refused a row of {current} before line {number + 1}: {reason}"
            ) from exc
        pending.clear()

    for number, text_line in enumerate(lines, start=2):
        if ended:
            raise ArchiveError(f"line {number}: data after the end line")
        try:
            item = json.loads(text_line)
        except ValueError as exc:
            raise ArchiveError(f"line {number}: not JSON") from exc
        if _end(number, item, sum(counts.values())):
            ended = True
            continue
        name, row = _row(number, item, tables)
        if name != current:
            flush()
            current = name
        pending.append(row)
        counts[name] = counts.get(name, 0) + 1
        if len(pending) >= BATCH:
            flush()
    flush()
    if not ended:
        raise ArchiveError("the archive is cut short: it has no end line")
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequences(session)
    return counts


def _advance_sequences(session: Session) -> None:
    """PostgreSQL hands out ids from sequences that rows inserted with their ids did not
    move: set each past the largest id, so the next row made gets a new one."""
    for table in archived_tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                f'(SELECT max("{column}") FROM "{table.name}")) '
                f'WHERE EXISTS (SELECT 1 FROM "{table.name}") '
                f"AND pg_get_serial_sequence('{table.name}', '{column}') IS NOT NULL"
            )
        )
