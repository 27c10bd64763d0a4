"""The proxy ``/{app}/{native-path}``: who calls, through which connection, and what passes.

A plain ASGI endpoint (no framework per call), in the order a call is judged: the caller's
key (401), the account's rate limit (429), the app (404), the key's scopes (403
``insufficient_scope``, see :mod:`.scopes`), the path and body (400, 403), the connection
(404, 400) and what its owner granted (403 ``insufficient_scope``); then the quota shield's
mirror, and for a call that goes upstream the key's budget (429 ``budget_exhausted``), the
upstream call, paced per connection (429 ``upstream_busy``), retried after an upstream 429
when that is safe, its failures mapped to 502 / 504 in :func:`upstream_failure`. Answers
stream back unchanged but for hop-by-hop headers and cookies -- except answers that may carry
the credential, which are read and cleaned first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import FastAPI
from starlette.requests import HTTPConnection
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from trackgate.crypto import digest
from trackgate.gateway import guard, hygiene, reads
from trackgate.gateway import scopes as scope_names
from trackgate.gateway.auth import GatewayCaller, presented_key
from trackgate.gateway.catch_all import KnownAppsOnly
from trackgate.gateway.connections import APPS, stamp
from trackgate.gateway.errors import (
    GatewayError,
    bad_request,
    connection_lacks,
    gateway_error_response,
    key_lacks,
    not_found,
    unauthorized,
)
from trackgate.gateway.limits import MAX_TRIES, GatewayLimits
from trackgate.gateway.routing import Chosen, ConnectionRouter, basic_credential
from trackgate.gateway.shield_hooks import HookSubscriber
from trackgate.gateway.state import GatewayState
from trackgate.gateway.upstream import (
    Headers,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)
from trackgate.shield.keep import KEEP_LIMIT
from trackgate.shield.mirror import BYPASS, Fetched, QuotaShield, Served
from trackgate.shield.quota import reported
from trackgate.shield.reads import Read
from trackgate.storage.types import utcnow
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.proxy")

PROXY_PATH = "/{app}/{path:path}"
ME_PATH = "/api/v9/me"
#: Request bodies up to this size are read before calling (and can be sent again on a retry);
#: larger ones stream through.
BUFFER_LIMIT = 1024 * 1024
#: A credential is checked against ``/me`` at most this often after a 401 or 403.
CHECK_INTERVAL = 60.0
#: Distinct targets whose judgement is remembered (the cache is emptied when full).
JUDGED_CACHE_SIZE = 4096
#: Added to a GET the quota shield let through to the upstream.
BYPASS_HEADERS = ((b"x-trackgate-cache", BYPASS.encode()), (b"age", b"0"))

Body = AsyncIterator[bytes] | bytes | None

#: (key id, budget): a key with a budget of upstream requests per hour.
Budget = tuple[str, int]
#: The key whose budget pays for what the quota shield fetches while serving its read.
_SPENDER: ContextVar[Budget | None] = ContextVar("trackgate_spender", default=None)


class CallerGone(Exception):
    """The caller disconnected while its request was being read."""


@dataclass(frozen=True, slots=True)
class Judged:
    """What a target is, judged once per distinct target: every judgement here is a function
    of the target's bytes alone, so it is kept in memory instead of made again per call."""

    target: hygiene.Target
    #: the answer may carry the credential: read it whole and clean it
    inspect: bool
    #: how the quota shield answers a GET of it; None: it passes through
    read: Read | None
    #: whether the shield keeps what a GET of it answers, when it passes through
    keep: bool
    #: method -> the scope a call of it needs (``admin`` for a method not named)
    needs: Mapping[str, str]
    #: why the credential guard refuses it whatever the method, or None
    refusal: str | None


@dataclass(slots=True)
class Call:
    method: str
    target: hygiene.Target
    chosen: Chosen
    headers: Headers
    body: Body
    #: the answer may carry the credential: read it whole and clean it
    inspect: bool
    #: the quota shield's plan for this call (GETs only), and the caller's Cache-Control
    read: Read | None = None
    cache_control: str | None = None
    #: the shield keeps this GET's answer if it passes through
    keep: bool = False
    #: the key's budget, which the upstream requests of this call spend; None: no budget
    spender: Budget | None = None


def upstream_failure(exc: UpstreamError) -> GatewayError:
    """The one place where an upstream that did not answer becomes the caller's 502 or 504."""
    if isinstance(exc, UpstreamTimeout):
        return GatewayError(504, "upstream_timeout", "The upstream did not answer in time")
    return GatewayError(502, "upstream_unreachable", "The upstream could not be reached")


def _answer_header(answer: UpstreamResponse, name: str) -> str | None:
    return next((v for k, v in answer.headers if k.lower() == name), None)


async def _read_upto(answer: UpstreamResponse, limit: int) -> tuple[bytes, bool]:
    """The answer's body, if it is at most ``limit`` bytes (True); else what was read of it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in answer.body:
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks), False
    return b"".join(chunks), True


async def _then(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if head:
        yield head
    async for chunk in rest:
        yield chunk


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise CallerGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise bad_request(f"The request body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _stream_body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise CallerGone
        if message.get("body"):
            yield message["body"]
        if not message.get("more_body", False):
            return


#: Methods whose answers never change the mirror.
_UNWRITTEN = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Relayed:
    """The answer to a call the console made through :meth:`ProxyEndpoint.relay`: its status,
    its body (decoded, without the credential) and how the quota shield answered it."""

    status: int
    body: bytes
    cache: str


class ProxyEndpoint:
    def __init__(self, state: GatewayState) -> None:
        self.state = state
        self.router = ConnectionRouter(state)
        self.limits = GatewayLimits(state.runtime.settings, state.metrics)
        #: "connection id:credential digest" checked against ``/me`` lately
        self._checked: TtlCache[str, bool] = TtlCache(CHECK_INTERVAL)
        #: connection id -> when the upstream last accepted its credential (epoch seconds),
        #: since the health check last took these (see :mod:`.health`); kept only while it runs
        self.used: dict[str, float] = {}
        self._noting = state.runtime.settings.connection_check > 0
        #: (raw path, query) -> its judgement; only targets that passed every check
        self._judged: dict[tuple[bytes, bytes], Judged] = {}
        settings = state.runtime.settings
        self.mirror: QuotaShield | None = (
            QuotaShield(
                state.runtime.db,
                settings.shield_max_age,
                self._fetch,
                state.runtime.invalidations,
                settings.shield_memory,
            )
            if settings.shield_enabled
            else None
        )
        #: the shield's webhook subscriptions, where the upstream can reach this gateway
        self.hooks: HookSubscriber | None = (
            HookSubscriber(state, settings.public_url)
            if self.mirror is not None and settings.public_url
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            call = await self._prepare(scope, receive)
            if self.hooks is not None:  # subscribes in the background, once
                self.hooks.noticed(call.chosen.connection_id, call.chosen.api_token)
            extra: tuple[tuple[bytes, bytes], ...] = ()
            answered: UpstreamResponse | None = None
            mirror = self.mirror
            if mirror is not None and call.method == "GET":
                served: Served | Fetched | None = None
                if call.read is not None:
                    served = await self._from_mirror(mirror, call, call.read)
                if self.state.metrics is not None:
                    outcome = served.cache if isinstance(served, Served) else BYPASS
                    self.state.metrics.shield_answered(outcome)
                if isinstance(served, Served):
                    await _reply_served(served, send)
                    return
                if served is not None:
                    answered = _as_answer(served)
                extra = BYPASS_HEADERS
            answer = answered or await self._exchange(call)
            status = answer.status
            if status < 400:
                if self._noting:
                    self.used[call.chosen.connection_id] = time.time()
            elif status == 401 or status == 403:  # before answering: the next call knows
                chosen = call.chosen
                await self._refused(
                    chosen.connection_id, chosen.api_token, call.method, call.target.path, status
                )
            if mirror is not None and (
                call.keep or call.method not in _UNWRITTEN or reported(answer.headers) is not None
            ):  # else the shield has nothing to learn from it: no coroutine to await
                answer = await self._keep(mirror, call, answer)
            whole = answer.whole
            if whole is not None and not call.inspect:  # the usual answer, sent inline
                headers = hygiene.caller_headers(answer.headers)
                headers.extend(extra)
                await send(
                    {"type": "http.response.start", "status": answer.status, "headers": headers}
                )
                await send({"type": "http.response.body", "body": whole, "more_body": False})
            else:
                await self._reply(call, answer, send, extra)
        except GatewayError as exc:
            await gateway_error_response(exc)(scope, receive, send)
            return
        except CallerGone:
            return

    # --- the console's own calls -----------------------------------------------------------

    async def admit(self, account_id: str) -> None:
        """Count one console page or form against the account's rate limit (429 past it)."""
        if not self.limits.admit_local(account_id):
            await self.limits.admit(account_id)

    async def relay(
        self, account_id: str, connection_id: str, method: str, forward: str, body: bytes | None
    ) -> Relayed:
        """One call of the console's, made for a signed-in member as a key's call would be --
        the path's guard, the connection's grant, the quota shield, the pacing and the
        credential check -- but without a key (so no key's budget; the account's limit is
        counted once per page by :meth:`admit`); the answer read whole and cleaned of the
        credential. Raises :class:`GatewayError` where a key's call is refused."""
        raw_path, _, query = f"/{APPS[0]}{forward}".partition("?")
        judged = self._judge({"raw_path": raw_path.encode(), "query_string": query.encode()})
        if judged.refusal is not None:
            raise guard.forbidden(judged.refusal)
        chosen = await self.router.choose(account_id, APPS[0], connection_id)
        required = judged.needs.get(method, scope_names.ADMIN)
        if required not in chosen.scopes:
            raise connection_lacks(required, chosen.connection_id)
        headers: Headers = [("authorization", chosen.authorization), ("accept", "application/json")]
        if body is not None:
            headers += [("content-type", "application/json"), ("content-length", str(len(body)))]
        call = Call(method, judged.target, chosen, headers, body, True)
        mirror = self.mirror
        if method == "GET":
            call.read, call.keep = judged.read, judged.keep
            if mirror is not None and call.read is not None:
                served = await self._from_mirror(mirror, call, call.read)
                if isinstance(served, Served):
                    return Relayed(200, served.body, served.cache)
                if served is not None:
                    return Relayed(served.status, served.body, BYPASS)
        answer = await self._exchange(call)
        if answer.status in (401, 403):
            await self._refused(
                connection_id, chosen.api_token, method, judged.target.path, answer.status
            )
        if mirror is not None:
            answer = await self._keep(mirror, call, answer)
        try:
            raw = await answer.read()
            cleaned = guard.decoded(raw, _answer_header(answer, "content-encoding"))
        except (UpstreamError, guard.UnreadableAnswer) as exc:
            raise GatewayError(
                502, "upstream_unreadable", "The upstream's answer could not be read"
            ) from exc
        return Relayed(answer.status, guard.strip_tokens(cleaned, chosen.api_token), BYPASS)

    # --- judging the call ---------------------------------------------------------------

    async def _caller(self, scope: Scope, key_digest: str) -> GatewayCaller:
        """A key the cache does not hold: the database (off the loop)."""
        return await self.state.keys.caller_shared(HTTPConnection(scope), key_digest)

    def _judge(self, scope: Scope) -> Judged:
        """The target (400) and its app (404); then the scope each method needs, the guard's
        verdict on the path, whether its answer may carry the credential, and how the shield
        would answer it."""
        raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode()
        query: bytes = scope.get("query_string", b"")
        judged = self._judged.get((raw_path, query))
        if judged is not None:
            return judged
        target = hygiene.parse_target(raw_path, query)
        if target.app not in APPS:
            raise not_found("unknown_app", f"Unknown app {target.app!r}; known: {', '.join(APPS)}")
        mirror = self.mirror
        read = mirror.plan("GET", target.forward) if mirror is not None else None
        keep = mirror is not None and mirror.keeps("GET", target.forward)
        judged = Judged(
            target,
            guard.carries_token(target.path),
            read,
            keep,
            scope_names.methods_for(target.path),
            guard.refusal(target.path),
        )
        if len(self._judged) >= JUDGED_CACHE_SIZE:
            self._judged.clear()
        self._judged[(raw_path, query)] = judged
        return judged

    async def _prepare(self, scope: Scope, receive: Receive) -> Call:
        incoming = hygiene.Incoming(scope["headers"])
        method: str = scope["method"]
        key = presented_key(incoming.get(b"authorization"))
        if key is None:
            raise unauthorized()
        key_digest = digest(key)
        # the key cache and the in-memory limit answer without a coroutine of their own
        caller = self.state.keys.cached(key, key_digest) or await self._caller(scope, key_digest)
        if not self.limits.admit_local(caller.account_id):
            await self.limits.admit(caller.account_id)
        judged = self._judge(scope)
        required = judged.needs.get(method, scope_names.ADMIN)
        if required not in caller.scopes:
            raise key_lacks(required)
        if judged.refusal is not None:
            raise guard.forbidden(judged.refusal)
        target = judged.target
        if method == "GET" and not (
            incoming.get(b"content-length") or incoming.get(b"transfer-encoding")
        ):
            body, length = None, None  # the usual read: nothing to wait for
        else:
            body, length = await self._body(incoming, receive, method, target.path)
        requested = (incoming.get(b"maton-connection") or "").strip() or None
        chosen = self.router.cached(
            caller.account_id, target.app, requested
        ) or await self.router.choose(caller.account_id, target.app, requested)
        if required not in chosen.scopes:
            raise connection_lacks(required, chosen.connection_id)
        headers = incoming.upstream(
            authorization=chosen.authorization, content_length=length, identity=judged.inspect
        )
        spender = (caller.key_id, caller.budget) if caller.budget is not None else None
        if method != "GET":
            return Call(method, target, chosen, headers, body, judged.inspect, spender=spender)
        cache_control = incoming.get(b"cache-control")
        return Call(
            method,
            target,
            chosen,
            headers,
            body,
            judged.inspect,
            judged.read,
            cache_control,
            judged.keep,
            spender,
        )

    async def _body(
        self, incoming: hygiene.Incoming, receive: Receive, method: str, path: str
    ) -> tuple[Body, int | None]:
        """The request body (read, or streamed if large) and the length to declare."""
        declared = incoming.get(b"content-length")
        chunked = incoming.get(b"transfer-encoding") is not None
        length = int(declared) if declared and declared.strip().isdigit() else None
        if guard.needs_body_check(method, path):
            if incoming.get(b"content-encoding"):
                raise bad_request("The body of a /me update must not be compressed")
            body = await _read_body(receive, guard.MAX_ME_BODY)
            guard.refuse_identity_change(body)
            return body, len(body)
        if length is None and not chunked:
            return None, None
        if length is not None and length <= BUFFER_LIMIT:
            body = await _read_body(receive, BUFFER_LIMIT)
            return body, len(body)
        return _stream_body(receive), length

    # --- calling the upstream -----------------------------------------------------------

    async def _exchange(self, call: Call) -> UpstreamResponse:
        """Send, paced; after a 429, send again while the policy allows it."""
        upstream = self.state.live_upstream
        connection_id = call.chosen.connection_id
        replayable = call.body is None or isinstance(call.body, bytes)
        last: UpstreamResponse | None = None
        waited = 0.0
        paced = self.limits.pacer is not None
        spender = call.spender
        for attempt in range(MAX_TRIES):
            try:
                if spender is not None:
                    await self.limits.spend(*spender)
                if paced:
                    await self.limits.pace(connection_id)
            except GatewayError:
                if last is None:
                    raise
                return last
            try:
                answer = await upstream.send(
                    call.method, call.target.forward, call.headers, call.body
                )
            except UpstreamError as exc:
                log.warning("upstream failed for connection %s: %s", connection_id, exc)
                raise upstream_failure(exc) from exc
            if answer.status != 429 or not replayable:
                return answer
            retry_after = _answer_header(answer, "retry-after")
            method = reads.retry_method(call.method, call.target.path)
            delay = self.limits.retry_delay(method, attempt, retry_after, waited)
            if delay is None:
                return answer
            try:
                last = UpstreamResponse(answer.status, answer.headers, whole=await answer.read())
            except UpstreamError as exc:
                raise upstream_failure(exc) from exc
            await asyncio.sleep(delay)
            waited += delay
        assert last is not None
        return last

    # --- the quota shield ---------------------------------------------------------------

    async def _from_mirror(
        self, mirror: QuotaShield, call: Call, read: Read
    ) -> Served | Fetched | None:
        """A read answered from the connection's mirror, or None to pass it through. A
        failing mirror never fails the call: it passes through."""
        chosen = call.chosen
        paying = _SPENDER.set(call.spender)  # what the mirror fetches for it is on its budget
        try:
            return await mirror.serve(
                chosen.connection_id,
                chosen.api_token,
                call.target.forward,
                read,
                call.cache_control,
            )
        except Exception:  # noqa: BLE001 - the read still has the upstream
            log.exception("quota shield failed on a read; passing it through")
            return None
        finally:
            _SPENDER.reset(paying)

    async def _keep(
        self, mirror: QuotaShield, call: Call, answer: UpstreamResponse
    ) -> UpstreamResponse:
        """Record the quota the answer reports; let the mirror learn from a write."""
        connection_id = call.chosen.connection_id
        forward = call.target.forward
        try:
            quota = reported(answer.headers)
            if quota is not None:  # most answers of a stand-in upstream report none
                await mirror.record_quota(connection_id, forward.partition("?")[0], quota)
            if call.keep and answer.status == 200:
                return await self._keep_read(mirror, call, answer)
            if call.method in _UNWRITTEN:
                return answer
            body: bytes | None = None
            if mirror.wants_answer(call.method, forward) and 200 <= answer.status < 300:
                try:
                    body = await answer.read()
                except UpstreamError as exc:
                    raise upstream_failure(exc) from exc
                answer = UpstreamResponse(answer.status, answer.headers, whole=body)
                try:
                    body = guard.decoded(body, _answer_header(answer, "content-encoding"))
                except guard.UnreadableAnswer:
                    body = None  # the mirror marks what it cannot read as unsure
            await mirror.wrote(
                connection_id, call.chosen.api_token, call.method, forward, answer.status, body
            )
        except GatewayError:
            raise
        except Exception:  # noqa: BLE001 - the write is done; the mirror must not hide it
            log.exception("quota shield failed after a write; marking the mirror unsure")
        return answer

    async def _keep_read(
        self, mirror: QuotaShield, call: Call, answer: UpstreamResponse
    ) -> UpstreamResponse:
        """Let the mirror keep a read that passed through; the caller gets it unchanged (an
        answer too long to keep streams on, unread)."""
        whole = answer.whole
        if whole is not None and answer.is_unread():  # it all came with the headers
            if len(whole) > KEEP_LIMIT:
                return answer  # too long to keep: passed on as it came
            head, complete = whole, True
        else:
            try:
                head, complete = await _read_upto(answer, KEEP_LIMIT)
            except UpstreamError as exc:
                raise upstream_failure(exc) from exc
        if not complete:
            return UpstreamResponse(answer.status, answer.headers, _then(head, answer.body))
        try:
            body = guard.decoded(head, _answer_header(answer, "content-encoding"))
        except guard.UnreadableAnswer:
            body = None
        if body is not None:
            body = guard.strip_tokens(body, call.chosen.api_token)
            chosen = call.chosen
            await mirror.kept(
                chosen.connection_id, chosen.api_token, call.target.forward, answer.status, body
            )
        return UpstreamResponse(answer.status, answer.headers, whole=head)

    async def _fetch(self, connection_id: str, api_token: str, target: str) -> Fetched:
        """One paced GET of the mirror's own, its answer decoded and cleaned of the token."""
        headers = [("authorization", basic_credential(api_token)), ("accept", "application/json")]
        spender = _SPENDER.get()
        if spender is not None:  # a refusal fails the refresh: the mirror answers stale
            await self.limits.spend(*spender)
        await self.limits.pace(connection_id)
        answer = await self.state.live_upstream.send("GET", target, headers, None)
        body = guard.decoded(await answer.read(), _answer_header(answer, "content-encoding"))
        status = answer.status
        if status < 400:
            if self._noting:
                self.used[connection_id] = time.time()
        elif status == 401 or status == 403:  # a refresh is refused as a call would be
            path = target.partition("?")[0]
            await self._refused(connection_id, api_token, "GET", path, status)
        return Fetched(status, answer.headers, guard.strip_tokens(body, api_token))

    # --- answering ----------------------------------------------------------------------

    async def _reply(
        self,
        call: Call,
        answer: UpstreamResponse,
        send: Send,
        extra: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        if call.inspect:
            await self._reply_cleaned(call, answer, send, extra)
            return
        whole = answer.whole
        if whole is not None:  # all of it is here: one message, nothing to stream
            headers = hygiene.caller_headers(answer.headers)
            headers.extend(extra)
            await send({"type": "http.response.start", "status": answer.status, "headers": headers})
            await send({"type": "http.response.body", "body": whole, "more_body": False})
            return
        chunks = answer.body
        try:
            await self._stream(answer, chunks, send, extra)
        finally:
            closing = getattr(chunks, "aclose", None)
            if closing is not None:
                await closing()

    async def _stream(
        self,
        answer: UpstreamResponse,
        chunks: AsyncIterator[bytes],
        send: Send,
        extra: tuple[tuple[bytes, bytes], ...],
    ) -> None:
        try:
            first = await anext(chunks, b"")
        except UpstreamError as exc:
            raise upstream_failure(exc) from exc
        headers = hygiene.caller_headers(answer.headers)
        headers.extend(extra)
        start: Message = {
            "type": "http.response.start",
            "status": answer.status,
            "headers": headers,
        }
        await send(start)
        await send({"type": "http.response.body", "body": first, "more_body": True})
        try:
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except UpstreamError as exc:
            # Too late for a 502: the status is sent. Leaving the answer incomplete makes
            # the server drop the connection, so the caller cannot take it for a whole body.
            log.warning("upstream body cut short (%s)", type(exc).__name__)
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _reply_cleaned(
        self,
        call: Call,
        answer: UpstreamResponse,
        send: Send,
        extra: tuple[tuple[bytes, bytes], ...],
    ) -> None:
        try:
            raw_body = await answer.read()
        except UpstreamError as exc:
            raise upstream_failure(exc) from exc
        try:
            body = guard.decoded(raw_body, _answer_header(answer, "content-encoding"))
        except guard.UnreadableAnswer as exc:
            raise GatewayError(
                502, "upstream_unreadable", "The upstream answered in an unreadable encoding"
            ) from exc
        body = guard.strip_tokens(body, call.chosen.api_token)
        headers = hygiene.caller_headers(answer.headers, body_changed=True)
        headers.extend(extra)
        if call.method != "HEAD" and answer.status not in (204, 304):
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    # --- a refused credential -----------------------------------------------------------

    async def _refused(
        self, connection_id: str, api_token: str, method: str, path: str, status: int
    ) -> None:
        """The upstream answered 401 / 403 with this credential: if ``GET /me`` is refused
        with it too (or was the very call), the connection is FAILED. A 403 for something the
        user may not do leaves it be; so does ``/me`` answering anything else, or nothing.
        Checked at most once a minute per credential; a failing check is only logged."""
        key = f"{connection_id}:{digest(api_token)}"
        if self._checked.get(key):
            return
        self._checked.put(key, True)
        try:
            if method == "GET" and guard.is_me(path):
                refusal: int | None = status
            else:
                refusal = await self._me_refusal(connection_id, api_token)
            if refusal is not None:
                await self.mark_refused(connection_id, api_token, refusal)
        except Exception as exc:  # noqa: BLE001 - the caller still gets the upstream's answer
            log.warning(
                "credential check of connection %s failed: %s", connection_id, type(exc).__name__
            )

    async def mark_refused(self, connection_id: str, api_token: str, status: int) -> bool:
        """FAILED, saying that ``GET /me`` refused the credential with ``status`` (unless the
        connection holds another credential now); whether it is FAILED now."""
        chosen = Chosen(connection_id, api_token, frozenset())
        return await self.router.mark_failed(chosen, refusal_reason(status))

    async def ask_me(self, connection_id: str, api_token: str) -> UpstreamResponse:
        """One ``GET /me`` with the credential, paced as the proxy's own calls (its body read
        and dropped); raises :class:`GatewayError` (pacing) or :class:`UpstreamError`."""
        headers = [("authorization", basic_credential(api_token)), ("accept", "application/json")]
        await self.limits.pace(connection_id)
        answer = await self.state.live_upstream.send("GET", ME_PATH, headers, None)
        await answer.read()
        if answer.status < 400 and self._noting:
            self.used[connection_id] = time.time()
        return answer

    async def _me_refusal(self, connection_id: str, api_token: str) -> int | None:
        """401 or 403 if ``GET /me`` refuses the credential; None for any other answer or none."""
        try:
            answer = await self.ask_me(connection_id, api_token)
        except (GatewayError, UpstreamError):
            return None
        return answer.status if answer.status in (401, 403) else None

    async def close(self) -> None:
        await self.limits.close()
        if self.hooks is not None:
            await self.hooks.close()


def refusal_reason(status: int) -> str:
    """A FAILED connection's ``failure_reason``: what refused what, when, and what to do."""
    when = stamp(utcnow())
    return f"Toggl refused the stored API token ({status}) on GET /me at {when}: reconnect it"


def _as_answer(fetched: Fetched) -> UpstreamResponse:
    """The upstream's answer to a refresh that was the caller's very call (body decoded)."""
    headers = [
        (k, v)
        for k, v in fetched.headers
        if k.lower() not in ("content-encoding", "content-length")
    ]
    headers.append(("content-length", str(len(fetched.body))))
    return UpstreamResponse(fetched.status, headers, whole=fetched.body)


async def _reply_served(served: Served, send: Send) -> None:
    """A mirror answer: the upstream's objects, none of its headers (no stale quota figures)."""
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(served.body)).encode()),
        (b"x-trackgate-cache", served.cache.encode()),
        (b"age", str(served.age).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": served.body, "more_body": False})


def install_proxy(app: FastAPI) -> None:
    """Add the catch-all proxy route (it must be the last route, so that it shadows none).
    Calls for the apps it knows reach the endpoint straight from the server's edge layer."""
    state: GatewayState = app.state.gateway
    endpoint = ProxyEndpoint(state)
    state.proxy = endpoint
    catch_all = KnownAppsOnly(endpoint)
    app.router.routes.append(Route(PROXY_PATH, catch_all, include_in_schema=False))


def proxy_endpoint(app: FastAPI) -> ProxyEndpoint | None:
    state: GatewayState | None = getattr(app.state, "gateway", None)
    return state.proxy if state is not None else None


async def close_proxy(app: FastAPI) -> None:
    endpoint = proxy_endpoint(app)
    if endpoint is not None:
        await endpoint.close()
