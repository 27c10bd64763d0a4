"""The upstream's JSON kept as the upstream wrote it: arrays split into their elements' own
text, so that a mirror answer repeats each object byte for byte (keys, order, unknown keys)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

_SPACE = " \t\r\n"


def top_level(body: str, separator: str) -> list[str]:
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


def split_array(text: str) -> list[str] | None:
    """The text of each element of a JSON array, as written; None if ``text`` is not one."""
    body = text.strip(_SPACE)
    if len(body) < 2 or body[0] != "[" or body[-1] != "]":
        return None
    elements = [part.strip(_SPACE) for part in top_level(body[1:-1], ",")]
    if elements and not elements[-1]:
        elements.pop()  # nothing after the last comma, or an empty array
    return elements


def join_array(elements: list[str]) -> bytes:
    return ("[" + ",".join(elements) + "]").encode()


def parse_objects(text: str) -> list[tuple[str, dict[str, Any]]] | None:
    """Each element of an array of objects with its own text; None for anything else."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    elements = split_array(text)
    if not isinstance(parsed, list) or elements is None or len(elements) != len(parsed):
        return None
    if not all(isinstance(item, dict) for item in parsed):
        return None
    return list(zip(elements, parsed, strict=True))


def epoch(stamp: Any) -> float | None:
    """An RFC 3339 instant (``Z`` or an offset) as epoch seconds; None if it is not one (a
    time without an offset is not an instant)."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.timestamp() if parsed.tzinfo is not None else None
