"""Requests generated from the OpenAPI document: every operation, with parameters and bodies
drawn from its schemas, mixed with values of the wrong type, edge numbers, hostile strings,
broken JSON and the other tenant's ids. Deterministic for a given ``random.Random``."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

Json = Any

EDGE_INTS: tuple[int, ...] = (0, -1, 1, 2**31, 2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1)
HOSTILE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "x" * 3000,
    "\x00",
    "a\x00b",
    "\u202e\u0301💥",
    "%0a%0d%1b[31m",
    "\r\nX-Injected: 1",
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "0000-00-00",
    "2024-02-30",
    "-1",
    "NaN",
    "true",
    "null",
)
ODD_VALUES: tuple[Json, ...] = (
    None,
    True,
    False,
    [],
    {},
    [[[]]],
    {"a": {"b": [1]}},
    1.5,
    -0.0,
    1e308,
)
BROKEN_BODIES: tuple[bytes, ...] = (
    b"{not json",
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"1e999999",
    b'{"description": NaN}',
    b"\xff\xfe\x00garbage",
    b'{"workspace_id": 1, "workspace_id": "two"}',
    b"",
    b"null",
    b'"a string"',
    b"[1, 2, 3]",
)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[Mapping[str, Any], ...]
    body: Mapping[str, Any] | None


@dataclass
class Pools:
    """Values that mean something to the server: the caller's ids (``own``), the other
    tenant's (``foreign``, asked for now and then), connection ids."""

    own: dict[str, list[Json]] = field(default_factory=dict)
    foreign: dict[str, list[Json]] = field(default_factory=dict)
    strings: list[str] = field(default_factory=list)

    def for_name(self, name: str, rng: random.Random) -> list[Json]:
        pool = self.foreign if rng.random() < 0.25 else self.own
        return pool.get(name) or self.own.get(name) or self.foreign.get(name) or []


def operations(document: Mapping[str, Any], prefix: str = "") -> list[Operation]:
    found = []
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
                continue
            schema = (
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            found.append(
                Operation(method.upper(), prefix + path, tuple(op.get("parameters", [])), schema)
            )
    return found


class Generator:
    def __init__(self, rng: random.Random, document: Mapping[str, Any], pools: Pools) -> None:
        self.rng = rng
        self.components = document.get("components", {}).get("schemas", {})
        self.pools = pools

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _odd(self) -> Json:
        return self.rng.choice((*ODD_VALUES, *EDGE_INTS, *HOSTILE_STRINGS))

    def value(self, schema: Mapping[str, Any], name: str = "", depth: int = 0) -> Json:
        """A value for ``schema``; now and then one of the wrong type on purpose."""
        rng = self.rng
        schema = self._resolve(schema)
        if rng.random() < 0.08 or depth > 4:
            return self._odd()
        known = self.pools.for_name(name, self.rng)
        if known and rng.random() < 0.6:
            return rng.choice(known)
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in schema:
                return self.value(rng.choice(schema[combinator]), name, depth + 1)
        if "enum" in schema:
            return rng.choice(schema["enum"])
        kind = schema.get("type")
        if kind == "integer":
            return rng.choice((*EDGE_INTS, rng.randint(-1000, 10**6)))
        if kind == "number":
            return rng.choice((0.5, -1.25, 1e15, rng.uniform(-1e6, 1e6)))
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "string":
            return self.string()
        if kind == "array":
            item = schema.get("items", {})
            return [self.value(item, name, depth + 1) for _ in range(rng.randint(0, 3))]
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            chosen = [k for k in props if rng.random() < 0.6]
            body = {k: self.value(props[k], k, depth + 1) for k in chosen}
            if rng.random() < 0.1:
                body[self.string()[:40] or "extra"] = self._odd()
            return body
        return self._odd()

    def string(self) -> str:
        rng = self.rng
        pick = rng.random()
        if pick < 0.4:
            return rng.choice(HOSTILE_STRINGS)
        if pick < 0.6 and self.pools.strings:
            return rng.choice(self.pools.strings)
        letters = "abcdefghijklmnopqrstuvwxyz0123456789 -_éß"
        return "".join(rng.choice(letters) for _ in range(rng.randint(1, 24)))

    def _segment(self, param: Mapping[str, Any]) -> str:
        name = param["name"]
        known = self.pools.for_name(name, self.rng)
        if name.endswith("_ids") and known:
            value: Json = ",".join(
                str(self.rng.choice(known)) for _ in range(self.rng.randint(1, 3))
            )
        elif known and self.rng.random() < 0.75:
            value = self.rng.choice(known)
        else:
            value = self.value(param.get("schema", {}), name)
        text = (
            json.dumps(value)
            if isinstance(value, (dict, list, bool)) or value is None
            else str(value)
        )
        return quote(text, safe="") or "0"

    def _query(self, params: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        query: dict[str, str] = {}
        for param in params:
            if param.get("in") != "query" or self.rng.random() < 0.5:
                continue
            value = self.value(param.get("schema", {}), param["name"])
            query[param["name"]] = (
                json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            )
        return query

    def request(self, op: Operation) -> tuple[str, str, dict[str, str], bytes | None]:
        """(method, path, query, body) for one call of ``op``."""
        path = op.path
        for param in op.parameters:
            if param.get("in") == "path":
                path = path.replace("{" + param["name"] + "}", self._segment(param))
        if self.rng.random() < 0.05:
            path += self.rng.choice(("/", "//", "/..", "?", "/%2e%2e/x"))
        body: bytes | None = None
        if op.method in ("POST", "PUT", "PATCH"):
            roll = self.rng.random()
            if roll < 0.12:
                body = self.rng.choice(BROKEN_BODIES)
            elif op.body is not None and roll < 0.95:
                body = json.dumps(self.value(op.body), allow_nan=True).encode()
            elif roll < 0.97:
                body = json.dumps(self.value({"type": "object"})).encode()
        method = (
            op.method if self.rng.random() > 0.03 else self.rng.choice(("PATCH", "PUT", "HEAD"))
        )
        return method, path, self._query(op.parameters), body
