"""Subscribing the quota shield to the upstream's webhooks, off the request path: once per
connection and workspace (reusing a subscription already made for the same URL), validated
by answering the ping, pinged when quiet, and deleted with the connection. The upstream
refusing any of it only leaves the shield polling: the proxy never waits on it or fails."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from starlette.concurrency import run_in_threadpool

from trackgate.crypto import digest
from trackgate.gateway.credential_store import open_credential
from trackgate.gateway.routing import basic_credential
from trackgate.gateway.state import GatewayState
from trackgate.gateway.upstream import UpstreamError
from trackgate.shield import store
from trackgate.shield.hooks import EVENT_FILTERS, HEARTBEAT_SECONDS, PATH_PREFIX, records
from trackgate.shield.rules import ME, WORKSPACES
from trackgate.storage.models import Connection, ShieldHook

log = logging.getLogger("trackgate.shield.hooks")

API = "/webhooks/api/v1"
#: a connection is looked at again (subscribed if it still is not) at most this often
RETRY_SECONDS = 300.0
#: how often the heartbeat looks for quiet subscriptions
TICK_SECONDS = 30.0
#: seconds a new connection's subscribing waits for its mirror to hold the user
USER_WAITS = 10


class HookSubscriber:
    def __init__(self, state: GatewayState, public_url: str) -> None:
        self.state = state
        self.public_url = public_url.rstrip("/")
        #: connection id -> when it may be looked at again
        self._next: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._heartbeat: asyncio.Task[None] | None = None

    def noticed(self, connection_id: str, api_token: str) -> None:
        """A call of this connection went through: subscribe it in the background if due."""
        now = time.time()
        if self._next.get(connection_id, 0.0) > now:
            return
        self._next[connection_id] = now + RETRY_SECONDS
        self._spawn(self._subscribe(connection_id, api_token))
        if self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat())

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in [*self._tasks, *([self._heartbeat] if self._heartbeat else [])]:
            task.cancel()
        self._tasks.clear()
        self._heartbeat = None

    async def _call(
        self, api_token: str, method: str, target: str, body: Any = None
    ) -> tuple[int, Any]:
        headers = [
            ("authorization", basic_credential(api_token)),
            ("accept", "application/json"),
        ]
        data = None
        if body is not None:
            headers.append(("content-type", "application/json"))
            data = json.dumps(body).encode()
        answer = await self.state.live_upstream.send(method, API + target, headers, data)
        raw = await answer.read()
        try:
            return answer.status, json.loads(raw) if raw else None
        except ValueError:
            return answer.status, None

    # --- subscribing ---------------------------------------------------------------------

    async def _subscribe(self, connection_id: str, api_token: str) -> None:
        try:
            workspaces = await run_in_threadpool(self._workspaces, connection_id)
            for _ in range(USER_WAITS):  # the call that noticed it is filling the mirror
                if workspaces is not None:
                    break
                await asyncio.sleep(1.0)
                workspaces = await run_in_threadpool(self._workspaces, connection_id)
            if workspaces is None:
                self._next[connection_id] = time.time() + 5.0  # the mirror's user comes first
                return
            for workspace_id in workspaces:
                await self._subscribe_workspace(connection_id, api_token, workspace_id)
        except (UpstreamError, OSError) as exc:
            log.info("shield webhooks: subscribing %s failed: %s", connection_id, exc)
        except Exception:
            log.exception("shield webhooks: subscribing %s failed", connection_id)

    def _workspaces(self, connection_id: str) -> list[int] | None:
        """The workspaces the mirror's user is in (None while the user is not held)."""
        with self.state.runtime.db.read() as session:
            held = store.held(session, connection_id, [ME, WORKSPACES])
        if not held.get(ME):
            return None
        found = {h.object_id for h in held.get(WORKSPACES, [])}
        default = json.loads(held[ME][0].body).get("default_workspace_id")
        if isinstance(default, int):
            found.add(default)
        return sorted(found)

    def _hook_for(self, connection_id: str, workspace_id: int, credential: str) -> ShieldHook:
        """The connection's hook row for a workspace, made (unsubscribed) if it has none."""
        with self.state.runtime.db.write() as session:
            for hook in records.hooks_of(session, connection_id):
                if hook.workspace_id == workspace_id:
                    session.expunge(hook)
                    return hook
            hook_id = records.new_hook_id()
            hook = ShieldHook(
                id=hook_id,
                connection_id=connection_id,
                workspace_id=workspace_id,
                credential_digest=credential,
                url_callback=f"{self.public_url}{PATH_PREFIX}{hook_id}",
            )
            session.add(hook)
            session.flush()
            session.expunge(hook)
            return hook

    def _subscribed(self, hook_id: str, subscription_id: int, secret: str, credential: str) -> None:
        with self.state.runtime.db.write() as session:
            hook = session.get(ShieldHook, hook_id)
            if hook is not None:
                hook.subscription_id = subscription_id
                hook.credential_digest = credential
                records.seal(self.state.runtime.keyring, hook, secret)

    async def _subscribe_workspace(
        self, connection_id: str, api_token: str, workspace_id: int
    ) -> None:
        credential = digest(api_token)
        hook = await run_in_threadpool(self._hook_for, connection_id, workspace_id, credential)
        if hook.validated_at is not None and hook.credential_digest == credential:
            return
        status, listed = await self._call(api_token, "GET", f"/subscriptions/{workspace_id}")
        if status >= 400:
            log.info("shield webhooks: listing on %s answered %s", workspace_id, status)
            return
        mine = [
            s
            for s in (listed if isinstance(listed, list) else [])
            if isinstance(s, dict) and s.get("url_callback") == hook.url_callback
        ]
        if mine:  # made before (by this or another replica): reuse it
            made = mine[0]
        else:
            status, made = await self._call(
                api_token,
                "POST",
                f"/subscriptions/{workspace_id}",
                {
                    "url_callback": hook.url_callback,
                    "event_filters": EVENT_FILTERS,
                    "description": "trackgate quota shield",
                    "enabled": True,
                },
            )
            if status >= 400 or not isinstance(made, dict):
                log.info(
                    "shield webhooks: the upstream refused a subscription on %s (%s); "
                    "the shield keeps polling",
                    workspace_id,
                    status,
                )
                return
        subscription_id, secret = made.get("subscription_id"), made.get("secret")
        if not isinstance(subscription_id, int) or not isinstance(secret, str):
            return
        await run_in_threadpool(self._subscribed, hook.id, subscription_id, secret, credential)
        if made.get("validated_at") is None:  # the ping carries the code our path answers
            await self._call(api_token, "POST", f"/ping/{workspace_id}/{subscription_id}")

    # --- the heartbeat -------------------------------------------------------------------

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                for _connection, api_token, workspace_id, sid in await run_in_threadpool(
                    self._quiet
                ):
                    await self._call(api_token, "POST", f"/ping/{workspace_id}/{sid}")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next tick tries again
                log.info("shield webhooks: ping failed: %s", type(exc).__name__)

    def _quiet(self) -> list[tuple[str, str, int, int]]:
        """Validated subscriptions heard from and pinged neither lately (each then marked
        pinged), with their connection's credential."""
        now = time.time()
        due: list[tuple[str, str, int, int]] = []
        keyring = self.state.runtime.keyring
        with self.state.runtime.db.write() as session:
            records.forget_old_events(session, now)
            for hook in session.query(ShieldHook).filter(ShieldHook.validated_at.is_not(None)):
                last = max(hook.heard_at or 0.0, hook.pinged_at or 0.0)
                if hook.subscription_id is None or now - last < HEARTBEAT_SECONDS:
                    continue
                connection = session.get(Connection, hook.connection_id)
                if connection is None:
                    continue
                hook.pinged_at = now
                sealed = connection.credential_ciphertext
                if sealed is None:
                    continue
                token = open_credential(keyring, connection.id, sealed)
                due.append((connection.id, token, hook.workspace_id, hook.subscription_id))
        return due


async def unsubscribe(state: GatewayState, api_token: str, refs: list[records.HookRef]) -> None:
    """Delete a deleted connection's subscriptions upstream (best effort, after answering)."""
    headers = [("authorization", basic_credential(api_token)), ("accept", "application/json")]
    for ref in refs:
        target = f"{API}/subscriptions/{ref.workspace_id}/{ref.subscription_id}"
        try:
            answer = await state.live_upstream.send("DELETE", target, headers, None)
            await answer.read()
        except (UpstreamError, OSError) as exc:
            log.info("shield webhooks: unsubscribing failed: %s", type(exc).__name__)
