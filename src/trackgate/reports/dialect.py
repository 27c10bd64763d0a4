"""The few SQL spellings that differ between SQLite and PostgreSQL, each behind one function.

Everything else in the report queries is portable SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import BigInteger, Integer, String, cast, func, text
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import TableValuedAlias

from trackgate.storage.models import TimeEntry

#: ``unixepoch()`` (SQLite 3.38+) reads a stored datetime several times faster than strftime.
SQLITE_HAS_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def epoch(column: Any, sqlite: bool) -> ColumnElement[int]:
    """Whole seconds since 1970 of a UTC datetime column."""
    if sqlite and SQLITE_HAS_UNIXEPOCH:
        return cast(func.unixepoch(column), BigInteger)
    if sqlite:
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def round_half_up(value: ColumnElement[Any], sqlite: bool) -> ColumnElement[int]:
    """A non-negative real rounded half up to an integer, the same on both databases."""
    if sqlite:
        return cast(value + 0.5, Integer)
    return cast(func.floor(value + 0.5), BigInteger)


def joined_ids(column: ColumnElement[int], sqlite: bool) -> ColumnElement[str]:
    """The group's ids as one comma-separated text."""
    if sqlite:
        return func.group_concat(column, ",")
    return func.string_agg(cast(column, String), ",")


def tag_list_text(sqlite: bool) -> ColumnElement[str]:
    """An entry's tag id list as text, so it can be grouped on (PostgreSQL's json cannot)."""
    return cast(TimeEntry.tag_ids, String)


def tag_count(sqlite: bool) -> ColumnElement[int]:
    return func.coalesce(func.json_array_length(TimeEntry.tag_ids), 0)


def tag_elements(sqlite: bool) -> TableValuedAlias:
    """One row per tag id of the entry (column ``value``), to join laterally."""
    if sqlite:
        return func.json_each(TimeEntry.tag_ids).table_valued("value")
    return func.json_array_elements_text(TimeEntry.tag_ids).table_valued("value")


def tag_value(elements: TableValuedAlias) -> ColumnElement[int]:
    return cast(elements.c.value, BigInteger)


def true_sql() -> ColumnElement[bool]:
    return text("1=1")  # type: ignore[return-value]
