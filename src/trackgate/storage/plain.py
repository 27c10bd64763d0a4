"""Hot reads past the ORM: a Core statement compiled once per dialect and run on a pooled
DB-API connection, its rows as plain tuples.

Profiled, an ORM query of one indexed row cost about ten times the read itself (a session,
its transaction, the identity map, an object per row and a result processor per value), and
turning a month of entries into ORM objects cost as much as everything else in the listing.
The hottest reads (the caller's token, the running entry, a listing) need none of that.

Values come back as the driver gives them: on SQLite instants are text and booleans 0 or 1,
JSON is text; :func:`utc`, :func:`flag` and :func:`json_list` read either spelling.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Row = Sequence[Any]


class PlainQuery:
    """A Core ``select`` as DB-API SQL for one dialect (compiled on first use, then kept).

    Parameters go through their column types' bind processors, as SQLAlchemy would send them
    (an aware instant becomes the stored UTC text on SQLite, a naive UTC datetime elsewhere).
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler)
            positions = compiled.positiontup if compiled.positional else None
            processors = {
                name: processor
                for name, bind in compiled.binds.items()
                if (processor := bind.type.bind_processor(dialect)) is not None
            }
            order = tuple(positions) if positions is not None else None
            found = self._compiled[dialect.name] = _Compiled(compiled.string, order, processors)
        return found

    def bind(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL text and its parameters, in the driver's paramstyle."""
        compiled = self._for(dialect)
        if compiled.processors:
            params = {
                name: compiled.processors[name](value) if name in compiled.processors else value
                for name, value in params.items()
            }
        if compiled.order is None:
            return compiled.sql, params
        return compiled.sql, tuple(params[name] for name in compiled.order)


class _Compiled(NamedTuple):
    sql: str
    order: tuple[str, ...] | None
    processors: Mapping[str, Callable[[Any], Any]]


def utc(value: Any) -> datetime | None:
    """A stored instant (text on SQLite, a naive datetime on PostgreSQL) as aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value + "+00:00")  # 5x cheaper than .replace()
        except ValueError:
            value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def flag(value: Any) -> bool:
    return bool(value)


def json_list(value: Any) -> list[Any]:
    """A stored JSON list (text on SQLite, already decoded on PostgreSQL)."""
    if value is None or value == "[]":
        return []
    if isinstance(value, str):
        decoded = json.loads(value)
        return decoded if isinstance(decoded, list) else []
    return list(value)
