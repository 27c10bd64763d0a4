"""What a tracking command needs, built once per run: the SDK client for the chosen target,
the person's time zone, the default workspace, and a small cache kept between runs (the
signed-in user's ids and the name cache) so that a command spends as few requests as it can."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, tzinfo
from typing import Any

import click

from trackgate.cli import exits
from trackgate.cli.journal import RETRY_LATER, Journal, Replayed, replay
from trackgate.cli.output import note
from trackgate.cli.picking import by_prefix
from trackgate.cli.profiles import config_dir
from trackgate.cli.target import Target, resolve
from trackgate.cli.when import TimeInputError, zone
from trackgate.client import NameCache, RetryPolicy, Toggl, UnknownNameError

ME_MAX_AGE = 3600.0


class Session:
    """One command's connection to its service."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.journal = Journal(server=target.server_url)
        self._cache_path = config_dir() / "cache" / f"{target.fingerprint}.json"
        self._cache = self._read_cache()
        names = None
        if not target.via_gateway:
            names = NameCache.load(self._cache.get("names") or {})
        retry = RetryPolicy(attempts=2, base_delay=0.25, max_wait=10.0)
        self.toggl = Toggl(**target.options, name_cache=names, timeout=20.0, retry=retry)
        self._tz: tzinfo | None = None
        self._seen: dict[tuple[str, int], str] = {}  # names found this run, for display

    # -- time -----------------------------------------------------------------------------
    @property
    def tz(self) -> tzinfo:
        if self._tz is None:
            self._tz = zone(self.target.timezone)
        return self._tz

    def now(self) -> datetime:
        return datetime.now(UTC)

    # -- cache between runs ---------------------------------------------------------------
    def _read_cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self._cache_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_cache(self) -> None:
        if self.toggl.names_cache is not None:
            self._cache["names"] = self.toggl.names_cache.dump()
        try:
            self._cache_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = self._cache_path.with_suffix(".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(self._cache, handle)
            os.replace(temporary, self._cache_path)
        except OSError:
            pass  # a cache that cannot be written only costs requests

    def me(self) -> dict[str, Any]:
        """The signed-in user's ids (cached for an hour: they rarely change)."""
        cached = self._cache.get("me")
        if isinstance(cached, dict) and time.time() - cached.get("at", 0) < ME_MAX_AGE:
            return cached
        try:
            me = self.toggl.me.get()
        except RETRY_LATER:
            if isinstance(cached, dict):
                return cached  # offline: an old copy still names the workspace
            raise
        fresh = {
            "at": time.time(),
            "id": me.id,
            "default_workspace_id": me.default_workspace_id,
            "timezone": me.timezone,
        }
        self._cache["me"] = fresh
        return fresh

    def workspace_id(self) -> int:
        """The profile's workspace (a name or an id), else the user's default workspace."""
        chosen = self.target.workspace
        if chosen:
            if chosen.isdigit():
                return int(chosen)
            found = self.toggl.names.workspace(chosen)
            assert found.id is not None
            return found.id
        wid = self.me().get("default_workspace_id")
        if not isinstance(wid, int):
            exits.fail("the account has no default workspace: set one with `trackgate config`", 2)
        return wid

    def find(self, kind: str, ref: str, workspace_id: int | None = None) -> dict[str, Any]:
        """A project, client, tag or workspace by name or id (a project also by a unique
        prefix of its name); offline, from the last cache."""
        try:
            found = self.toggl.names.find(kind, ref, workspace_id)
        except UnknownNameError:
            if kind != "projects":
                raise
            found = by_prefix(kind, ref, self._projects(workspace_id))
        except RETRY_LATER:
            cache = self.toggl.names_cache
            if cache is None or kind not in cache.objects:
                raise
            found = cache.find(kind, ref, workspace_id)
        if isinstance(found.get("id"), int) and found.get("name") is not None:
            self._seen[(kind, found["id"])] = str(found["name"])
        return found

    def _projects(self, workspace_id: int | None) -> list[dict[str, Any]]:
        cache = self.toggl.names.refresh("projects")
        return [
            p
            for p in cache.objects.get("projects", {}).values()
            if workspace_id is None or p.get("workspace_id", p.get("wid")) == workspace_id
        ]

    def name_of(self, kind: str, object_id: Any) -> str | None:
        """A name for display, from what this run found or the cache (no request spent)."""
        if (kind, object_id) in self._seen:
            return self._seen[(kind, object_id)]
        cache = self.toggl.names_cache
        if cache is None or not isinstance(object_id, int):
            return None
        found = cache.objects.get(kind, {}).get(object_id)
        return str(found["name"]) if found and found.get("name") is not None else None

    def workspace_for_write(self) -> tuple[int | None, Exception | None]:
        """The workspace, or (None, why) when it cannot be learned now: a change can still be
        journaled, and its workspace is looked up when it is sent."""
        try:
            return self.workspace_id(), None
        except RETRY_LATER as exc:
            return None, exc

    # -- the journal ------------------------------------------------------------------------
    def pending(self) -> list[dict[str, Any]]:
        return self.journal.pending(self.target.fingerprint)

    def flush_journal(self, *, quiet: bool = False) -> Replayed | None:
        """Send what the journal holds for this target (before any other call)."""
        if not self.pending():
            return None
        result = replay(self.toggl, self.journal, self.target.fingerprint)
        if result.sent and not quiet:
            note(f"trackgate: sent {result.sent} journaled change(s)")
        for change, reason in result.rejected:
            note(
                f"trackgate: the server refused a journaled {change['op']} ({reason}); "
                f"kept in {self.journal.rejected_path}"
            )
        return result

    def close(self) -> None:
        self.save_cache()
        self.toggl.close()


def chosen_target(ctx: click.Context) -> Target:
    """Where this run talks, from the flags, the environment and the profile; a command with
    no credentials ends here (exit 3), a malformed choice too (exit 2)."""
    root = ctx.find_root()
    flags = root.obj if isinstance(root.obj, dict) else {}
    try:
        target = resolve(flags)
    except ValueError as exc:
        exits.fail(str(exc), exits.USAGE)
    if not target.options:
        exits.fail(
            "no credentials: set TOGGL_API_TOKEN (and TOGGL_API_URL), or MATON_API_KEY "
            "(and TRACKGATE_GATEWAY_URL), or run `trackgate config set`",
            exits.AUTH,
        )
    return target


def open_session(ctx: click.Context, *, replay_journal: bool = True) -> Session:
    """The session for this run (one per process), journal replayed first when asked."""
    root = ctx.find_root()
    existing = root.meta.get("trackgate.session")
    if isinstance(existing, Session):
        return existing
    target = chosen_target(ctx)
    try:
        session = Session(target)
    except TimeInputError as exc:
        exits.fail(str(exc), exits.USAGE)
    except ValueError as exc:
        exits.fail(str(exc), exits.AUTH)
    root.meta["trackgate.session"] = session
    root.call_on_close(session.close)
    if replay_journal:
        try:
            session.flush_journal()
        except Exception as exc:  # noqa: BLE001 - replay must never block the command itself
            print(f"trackgate: journal not sent yet: {exc}", file=sys.stderr)
    return session
