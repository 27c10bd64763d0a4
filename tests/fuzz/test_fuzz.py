"""A seeded fuzz run over the service, the control API (with the connect page) and the proxy,
generated from the OpenAPI document: no 5xx, no redirect, no secret in any answer or log line,
and nothing of another account read or changed.

``TRACKGATE_FUZZ_SEED`` and ``TRACKGATE_FUZZ_REQUESTS`` change the run; a failure names the
seed and the requests that failed, so it can be replayed.
"""

from __future__ import annotations

import base64
import logging
import os
import random
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.conftest import basic
from tests.fuzz.generate import BROKEN_BODIES, Generator, Operation, Pools, operations
from tests.fuzz.world import MARKER, Tenant, snapshot, tenant
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime

SEED = int(os.environ.get("TRACKGATE_FUZZ_SEED", "20261129"))
REQUESTS = int(os.environ.get("TRACKGATE_FUZZ_REQUESTS", "2000"))
SESSION_TOKEN = re.compile(r"session_token=([A-Za-z0-9_\-]+)")
#: calls that would end the run's own credentials (they are tested on their own elsewhere)
SPARED = {("POST", "/api/v9/me/reset_token")}


class Captured(logging.Handler):
    """Every log line of the run, formatted as an operator would read it (tracebacks too)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(("httpx", "httpcore")):  # the test's own client
            self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def fuzz_runtime(settings: Settings) -> Iterator[Runtime]:
    open_limits = replace(
        settings, rate_limit="1000000/second", auth_failure_limit="1000000/minute"
    )
    runtime = build_runtime(open_limits)
    yield runtime
    runtime.close()


@dataclass
class Call:
    surface: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None

    def __str__(self) -> str:
        size = "-" if self.body is None else len(self.body)
        return f"[{self.surface}] {self.method} {self.path} {self.query} body={size}"


def key_file_secret(settings: Settings) -> list[str]:
    raw = settings.key_file.read_bytes().strip() if settings.key_file.exists() else b""
    secrets = [raw.decode()] if raw else []
    if settings.secret_key:
        secrets += [part.strip() for part in settings.secret_key.split(",")]
    decoded = [base64.b64decode(s) for s in secrets]
    return (
        secrets
        + [d.hex() for d in decoded]
        + [base64.urlsafe_b64encode(d).decode() for d in decoded]
    )


class Fuzzer:
    def __init__(self, rng: random.Random, document: dict[str, Any], a: Tenant, b: Tenant) -> None:
        self.rng = rng
        self.a, self.b = a, b
        own, foreign = self._ids(a), self._ids(b)
        own["connection_id"] = [*a.connection_ids, "abc"]
        foreign["connection_id"] = [*b.connection_ids, str(uuid.uuid4())]
        self.connection_ids = own["connection_id"] + foreign["connection_id"]
        strings = ["toggl-track", a.person.email, "Fuzzed"]
        self.pools = Pools(own=own, foreign=foreign, strings=strings)
        self.generator = Generator(rng, document, self.pools)
        service = [op for op in operations(document) if op.path.startswith("/api/v9/")]
        self.service = [op for op in service if (op.method, op.path) not in SPARED]
        self.proxied = [replace(op, path="/toggl-track" + op.path) for op in service]
        self.control = [op for op in operations(document) if op.path.startswith("/connections")]
        self.control.append(
            Operation(
                "POST",
                "/connections",
                (),
                {"type": "object", "properties": {"app": {"type": "string"}}},
            )
        )

    @staticmethod
    def _ids(tenant: Tenant) -> dict[str, list[Any]]:
        ids: dict[str, list[Any]] = dict(tenant.ids)
        ids["time_entry_ids"] = ids["time_entry_id"]
        ids["pid"] = ids["project_id"]
        ids["client_ids"] = ids["client_id"]
        return ids

    def _service_auth(self) -> dict[str, str]:
        roll = self.rng.random()
        person = self.a.person
        if roll < 0.8:
            return person.auth
        if roll < 0.88:
            return basic(person.email, person.password)
        if roll < 0.93:
            return {}
        if roll < 0.97:
            return basic(person.email, "wrong password")
        return {"Authorization": self.rng.choice(["Bearer x", "Basic !!", "Basic " + "A" * 5000])}

    def _gateway_auth(self) -> dict[str, str]:
        roll = self.rng.random()
        key = self.a.account.api_key
        if roll < 0.8:
            return {"Authorization": f"Bearer {key}"}
        if roll < 0.9:
            return basic(key, "api_token")
        if roll < 0.95:
            return {}
        return {"Authorization": "Bearer tgk_" + "0" * 43}

    def connect_call(self, tokens: list[str]) -> Call:
        """The connect page, with a link seen in an answer or a guessed one, and a form."""
        rng = self.rng
        token = rng.choice(tokens) if tokens and rng.random() < 0.6 else self.generator.string()
        query = {"session_token": token} if rng.random() < 0.95 else {}
        if rng.random() < 0.4:
            return Call("connect", "GET", "/connect", query, {}, None)
        names = ("csrf_token", "api_token", "email", "password")
        form = {name: self.generator.string() for name in names if rng.random() < 0.7}
        body = urlencode(form).encode() if rng.random() < 0.9 else rng.choice(BROKEN_BODIES)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return Call("connect", "POST", "/connect", query, headers, body)

    def next_call(self, tokens: list[str]) -> Call:
        roll = self.rng.random()
        if roll < 0.04:
            return self.connect_call(tokens)
        if roll < 0.4:
            surface, op, headers = "service", self.rng.choice(self.service), self._service_auth()
        elif roll < 0.85:
            surface, op, headers = "proxy", self.rng.choice(self.proxied), self._gateway_auth()
            if self.rng.random() < 0.15:
                headers["Maton-Connection"] = str(self.rng.choice(self.connection_ids))
        else:
            surface, op, headers = "control", self.rng.choice(self.control), self._gateway_auth()
        method, path, query, body = self.generator.request(op)
        if method == "DELETE" and self.a.connection_ids[0] in path:
            return self.next_call(tokens)  # the proxied calls go through that connection
        if body is not None and self.rng.random() < 0.9:
            headers["Content-Type"] = "application/json"
        return Call(surface, method, path, query, headers, body)


def test_fuzz_the_three_surfaces(fuzz_runtime: Runtime, captured: Captured) -> None:
    rng = random.Random(SEED)
    with TestClient(create_app(fuzz_runtime), raise_server_exceptions=False) as client:
        b = tenant(fuzz_runtime, client, MARKER)
        a = tenant(fuzz_runtime, client, "ant")
        document = client.get("/openapi.json").json()
        fuzzer = Fuzzer(rng, document, a, b)
        neighbour_before = snapshot(client, b)
        never_answered = [
            a.account.api_key,
            b.account.api_key,
            b.person.token,
            a.person.password,
            b.person.password,
            *key_file_secret(fuzz_runtime.settings),
        ]
        session_tokens: set[str] = set()
        failures: list[str] = []
        answered: Counter[tuple[str, int]] = Counter()
        captured.lines.clear()
        for n in range(REQUESTS):
            call = fuzzer.next_call(sorted(session_tokens))
            r = client.request(
                call.method,
                call.path,
                params=call.query,
                headers=call.headers,
                content=call.body,
                follow_redirects=False,
            )
            answered[call.surface, r.status_code // 100] += 1
            answer = r.content + repr(sorted(r.headers.items())).encode()
            problems = []
            if r.status_code >= 500:
                problems.append(f"HTTP {r.status_code}: {r.text[:200]!r}")
            if 300 <= r.status_code < 400:
                problems.append(f"redirect to {r.headers.get('location')}")
            if b"trackgate-embedded" in answer:
                problems.append("the embedded upstream's internal name in the answer")
            for secret in never_answered:
                if secret.encode() in answer:
                    problems.append("a secret in the answer")
            if call.surface != "service" and a.person.token.encode() in answer:
                problems.append("the upstream credential in a gateway answer")
            foreign = any(i in call.path for i in b.connection_ids)
            if foreign and r.status_code < 300 and call.surface == "control":
                problems.append("the other tenant's connection answered")
            if MARKER.encode() in answer.lower():
                problems.append("the other tenant's data in the answer")
            session_tokens.update(SESSION_TOKEN.findall(r.text))
            if problems:
                failures.append(f"#{n} {call} -> {'; '.join(problems)}")
        if snapshot(client, b) != neighbour_before:
            failures.append("the other tenant's data or connections changed")
        log = "\n".join(captured.lines)
        for secret in [*never_answered, a.person.token, *session_tokens]:
            if secret in log:
                failures.append(f"a secret ({secret[:4]}...) in the log")
    assert captured.lines, "the run logged nothing: the log check would prove nothing"
    for surface in ("service", "proxy", "control"):
        total = sum(n for (where, _), n in answered.items() if where == surface)
        # the run reaches past validation: a good share of each surface's calls succeed
        assert answered[surface, 2] >= total // 20, (surface, dict(answered))
    assert not failures, f"seed {SEED}: {len(failures)} failures\n" + "\n".join(failures[:25])
