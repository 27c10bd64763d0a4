"""Which reads the mirror can answer exactly, and the answer it gives.

:func:`plan` looks at a GET's path and query and says which kinds it needs fresh and how to
build the answer from them; None means pass it through. An answer function may still decline
(None) when the mirror turns out not to hold everything the query covers: a range older than
the filled window, ``since`` older than the first fill, a date-only bound the mirror cannot
place because the user's time zone is not UTC, or a single object it does not hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from trackgate.shield import rules
from trackgate.shield.rawjson import epoch, join_array
from trackgate.shield.rules import API, CLIENTS, ME, PROJECTS, TAGS, TIME_ENTRIES, WORKSPACES

#: Toggl's default (and first) page of ``/workspaces/{wid}/projects``.
PROJECTS_PER_PAGE = 151


@dataclass(frozen=True)
class Held:
    """One object of the mirror: its upstream text and what the rules look at."""

    object_id: int
    body: str
    position: int = 0
    workspace_id: int | None = None
    start: float | None = None
    at: float | None = None
    deleted: bool = False

    @cached_property
    def value(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass(frozen=True)
class Coverage:
    """What the time entries of a mirror are known to hold (upstream clock)."""

    covered_from: float | None = None
    changes_from: float | None = None


@dataclass
class View:
    """The kinds a read asked for, as held after any refresh."""

    objects: Mapping[str, list[Held]]
    coverage: Coverage = field(default_factory=Coverage)

    def live(self, kind: str) -> list[Held]:
        return sorted((h for h in self.objects.get(kind, []) if not h.deleted), key=_place)


def _place(held: Held) -> tuple[int, int]:
    return held.position, held.object_id


Answer = Callable[[View], bytes | None]


@dataclass(frozen=True)
class Read:
    kinds: tuple[str, ...]
    answer: Answer


def _listing(kind: str, keep: Callable[[Held], bool] = lambda _: True, limit: int = 0) -> Read:
    def answer(view: View) -> bytes:
        found = [h.body for h in view.live(kind) if keep(h)]
        return join_array(found[:limit] if limit else found)

    return Read((kind,), answer)


def _workspace_listing(
    kind: str, wid: int, keep: Callable[[Held], bool] = lambda _: True, limit: int = 0
) -> Read:
    """One workspace's objects; a workspace the user is not in is the upstream's to refuse."""
    inner = _listing(kind, lambda h: h.workspace_id == wid and keep(h), limit)

    def answer(view: View) -> bytes | None:
        if all(h.object_id != wid for h in view.live(WORKSPACES)):
            return None
        return inner.answer(view)

    return Read((kind, WORKSPACES), answer)


def _single(kind: str, object_id: int, workspace_id: int | None = None) -> Read:
    def answer(view: View) -> bytes | None:
        for held in view.live(kind):
            if held.object_id == object_id and workspace_id in (None, held.workspace_id):
                return held.body.encode()
        return None

    return Read((kind,), answer)


def _newest_first(entries: list[Held]) -> list[Held]:
    return sorted(entries, key=lambda h: (h.start or 0.0, h.object_id), reverse=True)


def _current(view: View) -> bytes:
    for held in _newest_first(view.live(TIME_ENTRIES)):
        if rules.is_running(held.value):
            return held.body.encode()
    return b"null"


def _user_timezone_is_utc(view: View) -> bool:
    users = view.live(ME)
    return bool(users) and users[0].value.get("timezone") in ("UTC", "Etc/UTC")


def _bound(value: str | None, view: View) -> float | None | bool:
    """A start/end bound as epoch seconds; None when absent; False when it cannot be placed."""
    if value is None:
        return None
    if len(value) == 10:
        if not _user_timezone_is_utc(view):
            return False
        try:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC).timestamp()
        except ValueError:
            return False
    found = epoch(value)
    return False if found is None or "T" not in value else found


def _entry_range(start_date: str | None, end_date: str | None) -> Read:
    def answer(view: View) -> bytes | None:
        low, high = _bound(start_date, view), _bound(end_date, view)
        covered = view.coverage.covered_from
        if low is False or high is False or low is None or covered is None or low < covered:
            return None
        assert isinstance(low, float)
        if isinstance(high, float) and high < low:
            return None  # the upstream's 400, not ours to phrase
        found = [
            h
            for h in view.live(TIME_ENTRIES)
            if h.start is not None and h.start >= low and (high is None or h.start < high)
        ]
        return join_array([h.body for h in _newest_first(found)])

    return Read((TIME_ENTRIES, ME), answer)


def _entry_changes(since: int) -> Read:
    def answer(view: View) -> bytes | None:
        known = view.coverage.changes_from
        if known is None or since < known:
            return None
        found = [h for h in view.objects.get(TIME_ENTRIES, []) if (h.at or 0.0) >= since]
        return join_array([h.body for h in _newest_first(found)])

    return Read((TIME_ENTRIES,), answer)


def _entries(query: dict[str, str]) -> Read | None:
    if set(query) - {"since", "start_date", "end_date"}:
        return None  # ``before`` (no lower bound), ``meta``, paging: passed through
    if "since" in query:
        value = query["since"]
        if len(query) > 1 or not value.isdigit() or len(value) > 12:
            return None
        return _entry_changes(int(value))
    if "start_date" not in query:
        return None  # Toggl's default window is not verified: passed through
    return _entry_range(query["start_date"], query.get("end_date"))


_NUMBER = r"(\d{1,18})"
_WS_ONE = re.compile(rf"^{API}/workspaces/{_NUMBER}$")
_WS_LIST = re.compile(rf"^{API}/workspaces/{_NUMBER}/(projects|clients|tags)$")
_WS_SINGLE = re.compile(rf"^{API}/workspaces/{_NUMBER}/(projects|clients)/{_NUMBER}$")
_ENTRY_ONE = re.compile(rf"^{API}/me/time_entries/{_NUMBER}$")

_ME_LISTS = {
    f"{API}/me/workspaces": WORKSPACES,
    f"{API}/me/clients": CLIENTS,
    f"{API}/me/tags": TAGS,
}


def _query(raw: str) -> dict[str, str] | None:
    pairs = parse_qsl(raw, keep_blank_values=True)
    found = dict(pairs)
    if len(found) != len(pairs) or "%" in raw or "+" in raw:
        return None
    return found


def _active(held: Held) -> bool:
    return held.value.get("active") is True


def plan(path: str, raw_query: str) -> Read | None:
    """How to answer ``GET path?raw_query`` from the mirror, or None to pass it through."""
    query = _query(raw_query)
    if query is None:
        return None
    if path == f"{API}/me/time_entries":
        return _entries(query)
    if query:
        if path == f"{API}/me/projects" and query == {"include_archived": "true"}:
            return _listing(PROJECTS)
        return None
    if path == f"{API}/me":
        return _listing_one_me()
    if path == f"{API}/me/time_entries/current":
        return Read((TIME_ENTRIES,), _current)
    if path == f"{API}/me/projects":
        return _listing(PROJECTS, _active)
    if path in _ME_LISTS:
        return _listing(_ME_LISTS[path])
    return _workspace_read(path)


def _listing_one_me() -> Read:
    def answer(view: View) -> bytes | None:
        users = view.live(ME)
        return users[0].body.encode() if users else None

    return Read((ME,), answer)


def _workspace_read(path: str) -> Read | None:
    if found := _ENTRY_ONE.match(path):
        return _single(TIME_ENTRIES, int(found.group(1)))
    if found := _WS_ONE.match(path):
        return _single(WORKSPACES, int(found.group(1)))
    if found := _WS_SINGLE.match(path):
        kind = PROJECTS if found.group(2) == "projects" else CLIENTS
        return _single(kind, int(found.group(3)), int(found.group(1)))
    if found := _WS_LIST.match(path):
        wid, what = int(found.group(1)), found.group(2)
        if what == "projects":
            return _workspace_listing(PROJECTS, wid, limit=PROJECTS_PER_PAGE)
        if what == "clients":  # active clients unless ``status`` says otherwise
            return _workspace_listing(CLIENTS, wid, lambda h: not h.value.get("archived"))
        return _workspace_listing(TAGS, wid)
    return None
