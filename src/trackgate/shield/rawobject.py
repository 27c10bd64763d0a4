"""A JSON object of the upstream's, member by member as written, so that an answer composed
from it (a key added, one taken out) repeats every other member byte for byte."""

from __future__ import annotations

import json
from typing import Any

from trackgate.shield.rawjson import top_level

_SPACE = " \t\r\n"

#: (the key, the member's text as written: ``"key":value``)
Member = tuple[str, str]


def members(text: str) -> list[Member] | None:
    """The members of a JSON object's text, in order; None if it is not an object."""
    body = text.strip(_SPACE)
    if len(body) < 2 or body[0] != "{" or body[-1] != "}":
        return None
    inner = body[1:-1]
    if not inner.strip(_SPACE):
        return []
    found: list[Member] = []
    for part in top_level(inner, ","):
        pieces = top_level(part, ":")
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
            return top_level(text, ":")[1].strip(_SPACE)
    return None


def join_object(found: list[Member]) -> str:
    return "{" + ",".join(text for _, text in found) + "}"
