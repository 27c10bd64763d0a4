"""Never lose a timer: changes that could not be sent (no network, quota spent, rate limited)
are kept in ``journal.jsonl`` beside config.toml and replayed in order by ``trackgate sync``
and by the next command that reaches the server.

Each line is one change with absolute times taken when it was typed: ``start``, ``stop``,
``add`` or ``edit``. A journaled start gets a local id (``j1``) that later changes may refer
to; it becomes the server's id once sent. A change the server refuses for good (e.g. 400) is
moved to ``journal.rejected.jsonl``, never dropped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from trackgate.cli.profiles import config_dir
from trackgate.client import Toggl
from trackgate.client.errors import (
    APIError,
    AuthenticationError,
    NameLookupError,
    NetworkError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)

#: A journaled field naming the project by the name typed, when it could not be looked up
#: (offline before names were cached): it becomes ``project_id`` when the change is sent.
PROJECT_NAME = "project_name"

# Failures that say "not now" rather than "never": the change waits for the next run.
RETRY_LATER = (NetworkError, QuotaExceededError, RateLimitError, ServerError)
WAIT = (*RETRY_LATER, AuthenticationError)


@dataclass
class Replayed:
    sent: int
    rejected: list[tuple[dict[str, Any], str]]
    left: int
    stopped_by: Exception | None


class Journal:
    """The journal file, shared by every profile (each change names its target)."""

    def __init__(self, directory: Path | None = None, *, server: str | None = None) -> None:
        self.server = server  # the URL changes are written against, shown if it changes
        base = directory or config_dir()
        self.path = base / "journal.jsonl"
        self.rejected_path = base / "journal.rejected.jsonl"

    def load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        changes = []
        for line in self.path.read_text().splitlines():
            if line.strip():
                changes.append(json.loads(line))
        return changes

    def pending(self, target: str) -> list[dict[str, Any]]:
        return [c for c in self.load() if c.get("target") == target]

    def elsewhere(self, target: str) -> list[dict[str, Any]]:
        """Changes written while the CLI pointed at another server (or credentials)."""
        return [c for c in self.load() if c.get("target") != target]

    def move_here(self, target: str) -> int:
        """Changes written for other targets become this target's, after its own (in order);
        how many moved."""
        changes = self.load()
        own = [c for c in changes if c.get("target") == target]
        moved = [{**c, "target": target} for c in changes if c.get("target") != target]
        self._write(self.path, own + moved)
        return len(moved)

    def _write(self, path: Path, changes: list[dict[str, Any]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.writelines(json.dumps(c) + "\n" for c in changes)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def append(self, target: str, change: dict[str, Any]) -> dict[str, Any]:
        """Keep a change; a start gets its local id. Written (fsync) before it returns."""
        changes = self.load()
        numbers = [int(c["local_id"][1:]) for c in changes if c.get("local_id")]
        change = {"target": target, **change}
        if self.server and "server" not in change:
            change["server"] = self.server
        if change["op"] == "start":
            change["local_id"] = f"j{max(numbers, default=0) + 1}"
        self._write(self.path, [*changes, change])
        return change

    def replace(self, target: str, remaining: list[dict[str, Any]]) -> None:
        others = [c for c in self.load() if c.get("target") != target]
        self._write(self.path, others + remaining)

    def reject(self, change: dict[str, Any], reason: str) -> None:
        kept = self.load_rejected()
        self._write(self.rejected_path, [*kept, {**change, "rejected": reason}])

    def load_rejected(self) -> list[dict[str, Any]]:
        if not self.rejected_path.exists():
            return []
        return [json.loads(x) for x in self.rejected_path.read_text().splitlines() if x.strip()]


def _resolve(ref: Any, ids: dict[str, int]) -> Any:
    return ids.get(ref, ref) if isinstance(ref, str) and ref.startswith("j") else ref


def _send(toggl: Toggl, change: dict[str, Any], ids: dict[str, int]) -> None:
    op, fields = change["op"], dict(change.get("fields") or {})
    wid = change.get("workspace_id") or toggl.me.get().default_workspace_id
    if not isinstance(wid, int):
        raise ValueError("the account has no default workspace")
    if PROJECT_NAME in fields:  # a name typed offline: the project it names now
        project = toggl.names.project(fields.pop(PROJECT_NAME), wid)
        fields["project_id"] = project.id
    if op == "start":
        start = datetime.fromisoformat(fields["start"])
        running = toggl.time_entries.current()
        if running is not None and running.start is not None and running.start > start:
            # A timer started later (elsewhere) runs now: this one ended when that one began.
            ended = int((running.start - start).total_seconds())
            made = toggl.time_entries.create(wid, duration=ended, allow_long=True, **fields)
            ids[change["local_id"]] = int(made.id or 0)
            return
        if running is not None and running.id is not None:
            # Toggl would stop it at the time of sending; it stopped when the new one began.
            toggl.time_entries.update(running.workspace_id or wid, running.id, stop=start)
        made = toggl.time_entries.create(wid, duration=-1, **fields)
        ids[change["local_id"]] = int(made.id or 0)
    elif op == "add":
        toggl.time_entries.create(wid, allow_long=True, **fields)  # confirmed when kept
    elif op == "stop":
        ref = _resolve(change.get("ref"), ids)
        if ref == "current":
            running = toggl.time_entries.current()
            if running is None:
                return  # nothing ran when the stop arrived: nothing to do
            ref = running.id
        if isinstance(ref, str):
            raise ValueError(f"refers to {ref}, which was not sent")
        entry = toggl.time_entries.get(int(ref))
        if entry.running:
            toggl.time_entries.update(wid, int(ref), stop=fields["stop"])
    elif op == "edit":
        ref = _resolve(change.get("ref"), ids)
        if isinstance(ref, str):
            raise ValueError(f"refers to {ref}, which was not sent")
        toggl.time_entries.update(wid, int(ref), allow_long=True, **fields)


def _remaining(changes: list[dict[str, Any]], ids: dict[str, int]) -> list[dict[str, Any]]:
    """What is left, with references to changes already sent turned into the server's ids."""
    return [{**c, "ref": _resolve(c["ref"], ids)} if "ref" in c else c for c in changes]


def replay(toggl: Toggl, journal: Journal, target: str) -> Replayed:
    """Send this target's changes in order, rewriting the journal after each one; stop at the
    first that must wait (no network, quota, rate limit)."""
    changes = journal.pending(target)
    ids: dict[str, int] = {}
    sent, rejected = 0, list[tuple[dict[str, Any], str]]()
    for index, change in enumerate(changes):
        try:
            _send(toggl, change, ids)
            sent += 1
        except WAIT as exc:
            return Replayed(sent, rejected, len(changes) - index, exc)
        except (APIError, ValueError, NameLookupError) as exc:  # refused for good
            journal.reject(change, str(exc))
            rejected.append((change, str(exc)))
        journal.replace(target, _remaining(changes[index + 1 :], ids))
    return Replayed(sent, rejected, 0, None)
