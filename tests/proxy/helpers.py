"""Helpers for the proxy tests: gateway accounts and connections made directly in the database,
and a small scriptable upstream on a loopback socket for the faults an in-process call cannot
show (slowness, resets, refused ports, 429 and 402 with their headers, streamed bodies)."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from trackgate.gateway import scopes
from trackgate.gateway.credential_store import seal_credential
from trackgate.gateway.keys import create_account, issue_key
from trackgate.runtime import Runtime
from trackgate.storage.models import Connection

APP = "toggl-track"


@dataclass
class Account:
    account_id: str
    api_key: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def basic(self) -> dict[str, str]:
        raw = base64.b64encode(f"{self.api_key}:api_token".encode()).decode()
        return {"Authorization": f"Basic {raw}"}


def make_account(runtime: Runtime, name: str = "team") -> Account:
    """An account with a key of every scope: the proxy's tests call any path (scoped keys are
    tested in ``tests/gateway/test_scopes.py``)."""
    with runtime.db.write() as session:
        account = create_account(session, name)
        issued = issue_key(session, account.id, scopes=scopes.ALL)
        return Account(account.id, issued.api_key)


def another_key(runtime: Runtime, account: Account) -> Account:
    """The same gateway account, presenting a second key of its own."""
    with runtime.db.write() as session:
        issued = issue_key(session, account.account_id, "second", scopes=scopes.ALL)
    return Account(account.account_id, issued.api_key)


def make_connection(
    runtime: Runtime,
    account_id: str,
    api_token: str | None,
    *,
    status: str = "ACTIVE",
    age_minutes: int = 0,
    details: dict[str, Any] | None = None,
) -> str:
    """A connection holding ``api_token``; ``age_minutes`` makes it older than the others."""
    connection_id = str(uuid.uuid4())
    created = datetime.now(UTC) - timedelta(minutes=age_minutes)
    with runtime.db.write() as session:
        session.add(
            Connection(
                id=connection_id,
                account_id=account_id,
                app=APP,
                status=status,
                method="API_KEY" if api_token else None,
                credential_ciphertext=(
                    seal_credential(runtime.keyring, connection_id, api_token)
                    if api_token
                    else None
                ),
                details=details or {},
                created_at=created,
                updated_at=created,
            )
        )
    return connection_id


def connection_row(runtime: Runtime, connection_id: str) -> Connection:
    with runtime.db.read() as session:
        row = session.get(Connection, connection_id)
        assert row is not None
        return row


def assert_gateway_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The gateway's own error shape, with its status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("x-request-id")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


# --- a scriptable upstream on loopback ------------------------------------------------------


@dataclass
class Seen:
    method: str
    raw_path: str
    headers: CIMultiDict[str]
    body: bytes


def _token_of(headers: CIMultiDict[str]) -> str | None:
    value = headers.get("Authorization", "")
    if not value.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(value[6:]).decode().partition(":")
    return user if password == "api_token" else None


BIG_CHUNK = bytes(range(256)) * 256  # 64 KiB
BIG_CHUNKS = 64  # 4 MiB in all


@dataclass
class FakeUpstream:
    """What each path does is fixed here; tests read ``seen`` and set ``refused_tokens``."""

    seen: list[Seen] = field(default_factory=list)
    refused_tokens: set[str] = field(default_factory=set)
    #: how a refused token is answered: Toggl's 403, or a 401
    refusal_status: int = 403
    #: a status ``/me`` answers instead of the user (an upstream failing), or None
    me_status: int | None = None
    hits: Counter[str] = field(default_factory=Counter)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), loop).result(10)

    async def _start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        assert self._loop is not None and self._thread is not None and self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def paths(self) -> list[str]:
        return [s.raw_path for s in self.seen]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(Seen(request.method, request.raw_path, CIMultiDict(request.headers), body))
        self.hits[request.raw_path] += 1
        token = _token_of(CIMultiDict(request.headers))
        path = request.path
        if path == "/api/v9/me" and self.me_status is not None:
            return web.json_response("upstream trouble", status=self.me_status)
        if token in self.refused_tokens:
            return web.json_response(
                "Incorrect username and/or password", status=self.refusal_status
            )
        if path == "/api/v9/me":
            return web.json_response({"id": 7, "api_token": token, "email": "me@example.com"})
        if path == "/api/v9/workspaces/1":
            raw = json.dumps({"id": 1, "name": "w", "api_token": "ws-secret"}).encode()
            return web.Response(
                body=gzip.compress(raw),
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
        if path == "/api/v9/workspaces/2":
            return web.Response(
                body=b"\x00compressed",
                headers={"Content-Type": "application/json", "Content-Encoding": "br"},
            )
        handler = getattr(self, "_" + path.strip("/").split("/")[0], None)
        if handler is None:
            return web.json_response("not found", status=404)
        response: web.StreamResponse = await handler(request)
        return response

    async def _echo(self, request: web.Request) -> web.StreamResponse:
        seen = self.seen[-1]
        return web.json_response(
            {"method": seen.method, "raw_path": seen.raw_path, "body_size": len(seen.body)},
            headers={
                "Set-Cookie": "session=upstream; Path=/",
                "X-Toggl-Request-Id": "abc",
                "Cache-Control": "no-cache",
            },
        )

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)
        return web.json_response("late")

    async def _flaky(self, request: web.Request) -> web.StreamResponse:
        if self.hits[request.raw_path] == 1:
            return web.json_response("slow down", status=429, headers={"Retry-After": "0"})
        return web.json_response({"ok": True, "tries": self.hits[request.raw_path]})

    async def _busy(self, request: web.Request) -> web.StreamResponse:
        wait = request.query.get("retry_after", "0")
        return web.json_response("slow down", status=429, headers={"Retry-After": wait})

    async def _quota(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            "Quota exceeded: You've used 31 / 30 requests",
            status=402,
            headers={"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "1234"},
        )

    async def _boom(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            "internal error", status=500, headers={"Set-Cookie": "a=b", "X-Toggl-Thing": "1"}
        )

    async def _forbidden(self, request: web.Request) -> web.StreamResponse:
        return web.json_response("not your workspace", status=403)

    async def _reset(self, request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()
        await asyncio.sleep(0.05)
        return web.Response()

    async def _cut(self, request: web.Request) -> web.StreamResponse:
        """Promises a large body, sends part of it, and drops the connection."""
        response = web.StreamResponse(headers={"Content-Length": str(len(BIG_CHUNK) * 4)})
        await response.prepare(request)
        await response.write(BIG_CHUNK)
        await asyncio.sleep(0.05)
        assert request.transport is not None
        request.transport.abort()
        return response

    async def _big(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        for _ in range(BIG_CHUNKS):
            await response.write(BIG_CHUNK)
        await response.write_eof()
        return response
