"""A JSON object of the upstream's, member by member as written, so that an answer composed
from it (a key added, one taken out) repeats every other member byte for byte."""

from __future__ import annotations

import json
from typing import Any

_SPACE = " \t\r\n"

#: (the key, the member's text as written: ``"key":value``)
Member = tuple[str, str]


def _top_level(body: str, separator: str) -> list[str]:
    """``body`` cut at each ``separator`` outside strings, arrays and objects."""
    parts: list[str] = []
    depth = 0
    in_string = escaped = False
    begin = 0
    for index, char in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(body[begin:index])
            begin = index + 1
            if separator == ":":
                break
    parts.append(body[begin:])
    return parts


def members(text: str) -> list[Member] | None:
    """The members of a JSON object's text, in order; None if it is not an object."""
    body = text.strip(_SPACE)
    if len(body) < 2 or body[0] != "{" or body[-1] != "}":
        return None
    inner = body[1:-1]
    if not inner.strip(_SPACE):
        return []
    found: list[Member] = []
    for part in _top_level(inner, ","):
        pieces = _top_level(part, ":")
        if len(pieces) != 2:
            return None
        try:
            key = json.loads(pieces[0])
        except ValueError:
            return None
        if not isinstance(key, str):
            return None
        found.append((key, part.strip(_SPACE)))
    return found


def member(key: str, value_text: str) -> Member:
    """A member of our own: ``value_text`` is JSON text, copied or encoded as Toggl does."""
    return key, f"{encode(key)}:{value_text}"


def encode(value: Any) -> str:
    """A value spelled as the upstream spells its JSON: compact, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def value_text(found: list[Member], key: str) -> str | None:
    """The text of ``key``'s value as written, or None when the object has no such key."""
    for name, text in found:
        if name == key:
            return _top_level(text, ":")[1].strip(_SPACE)
    return None


def join_object(found: list[Member]) -> str:
    return "{" + ",".join(text for _, text in found) + "}"
