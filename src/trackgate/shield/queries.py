"""Query values as the upstream reads them, or None where the mirror cannot be sure how it
reads them: any value the upstream might refuse, or parse in more than one way, makes the
read pass through (the upstream phrases its own 400s)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_DIGITS = re.compile(r"^[1-9][0-9]{0,8}$")
_IDS = re.compile(r"^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17})*$")
#: a flag's values as every reader of them agrees (other spellings pass through)
_TRUE, _FALSE = ("true", "1"), ("false", "0")

Query = dict[str, str]


def parse(raw: str) -> Query | None:
    """The query's parameters, each named once; None for anything ambiguous (a name given
    twice, a broken escape, text that is not UTF-8, a ``;``)."""
    if ";" in raw or _ESCAPE.search(raw):
        return None
    pairs = parse_qsl(raw, keep_blank_values=True)
    found = dict(pairs)
    if len(found) != len(pairs):
        return None
    if any("\ufffd" in k or "\ufffd" in v for k, v in pairs):
        return None
    return found


class Unsure(Exception):
    """A value the mirror does not read exactly as the upstream would: pass the read through."""


def flag(query: Query, name: str) -> bool | None:
    """``true``/``1`` or ``false``/``0``; None when absent or empty."""
    value = query.get(name)
    if value is None or value == "":
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Unsure(name)


def tristate(query: Query, name: str) -> bool | None:
    """``true``, ``false`` or ``both`` (None, as when absent)."""
    value = query.get(name)
    if value == "both":
        return None
    return flag(query, name)


def count(query: Query, name: str, default: int, maximum: int | None = None) -> int:
    """A positive count (a page, a page size), capped at ``maximum`` as the upstream caps it."""
    value = query.get(name)
    if value is None or value == "":
        return default
    if not _DIGITS.match(value):
        raise Unsure(name)
    number = int(value)
    return min(number, maximum) if maximum else number


def offset(query: Query, name: str) -> int:
    value = query.get(name)
    if value is None or value in ("", "0"):
        return 0
    return count(query, name, 0)


def ids(query: Query, name: str) -> list[int] | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    if not _IDS.match(value):
        raise Unsure(name)
    return [int(part) for part in value.split(",")]


def unix(query: Query, name: str) -> int | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    if not re.match(r"^[0-9]{1,11}$", value):
        raise Unsure(name)
    return int(value)


def descending(query: Query, name: str = "sort_order") -> bool:
    value = query.get(name)
    if value is None or value == "" or value in ("ASC", "asc"):
        return False
    if value in ("DESC", "desc"):
        return True
    raise Unsure(name)


def choice(query: Query, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise Unsure(name)
    return value
