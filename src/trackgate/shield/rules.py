"""What is true of the mirror, apart from storage and HTTP: the kinds it holds and how each is
listed upstream, when a copy is fresh, how Toggl spells a time entry on reads, and what a
write changes.

Catalog kinds (the user, organizations, workspaces, projects, clients, tags, tasks) are listed
whole once, then refreshed with their ``since`` listings where Toggl has one: those bring every
object whose ``at`` moved, but only projects and tags come back when deleted, and no listing
reports what changes without moving ``at`` (a project's tracked time, a workspace's count of
active projects, a workspace the user left). So each catalog is also listed whole again at
least every :data:`FULL_LISTING_SECONDS`, and at once after a write whose effect on it the
mirror could not apply. The user and organizations have no ``since``: each refresh lists them
whole. Time entries are many; they are filled once over a window of start dates and then
refreshed with ``since`` (which reports deletions).

Projects, clients and tags of one workspace can also be listed under
``/workspaces/{wid}/...``, which spends that workspace's organization bucket instead of the
user's: :func:`workspace_listing`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

ME = "me"
WORKSPACES = "workspaces"
PROJECTS = "projects"
CLIENTS = "clients"
TAGS = "tags"
TASKS = "tasks"
ORGANIZATIONS = "organizations"
TIME_ENTRIES = "time_entries"
KINDS = (ME, WORKSPACES, PROJECTS, CLIENTS, TAGS, TASKS, ORGANIZATIONS, TIME_ENTRIES)
CATALOGS = (ME, WORKSPACES, PROJECTS, CLIENTS, TAGS, TASKS, ORGANIZATIONS)

API = "/api/v9"
#: What the mirror asks the upstream for, to list a catalog kind whole.
LISTINGS = {
    ME: f"{API}/me",
    WORKSPACES: f"{API}/me/workspaces",
    PROJECTS: f"{API}/me/projects?include_archived=true",
    CLIENTS: f"{API}/me/clients",
    TAGS: f"{API}/me/tags",
    TASKS: f"{API}/me/tasks?include_not_active=true",
    ORGANIZATIONS: f"{API}/me/organizations",
}
#: The user with their tags, clients and projects (archived ones included): one request that
#: lists all of them whole; ``RELATED_LISTS`` names where each kind is in it. (Its tasks are
#: not known to include inactive ones, and its workspaces lack ``active_project_count``.)
RELATED = f"{API}/me?with_related_data=true"
RELATED_LISTS = {TAGS: "tags", CLIENTS: "clients", PROJECTS: "projects"}
#: What ``with_related_data`` adds to the user (taken out again to hold the user as ``/me``),
#: all of them written just before ``RELATED_BEFORE``.
RELATED_KEYS = ("tags", "clients", "time_entries", "projects", "workspaces", "tasks")
RELATED_BEFORE = "authorization_updated_at"


def related_in_place(keys: list[str]) -> bool:
    """Whether the keys of a ``with_related_data`` answer show the related lists where Toggl
    adds them (one run of them, just before ``authorization_updated_at``), so that taking them
    out leaves the user exactly as ``/me`` answers it."""
    if RELATED_BEFORE not in keys:
        return False
    end = keys.index(RELATED_BEFORE)
    begin = end
    while begin > 0 and keys[begin - 1] in RELATED_KEYS:
        begin -= 1
    return begin < end and not set(keys[:begin] + keys[end:]) & set(RELATED_KEYS)


#: The ``since`` listing of a catalog kind (changes since an instant), for those that have one.
SINCE_LISTINGS = {
    WORKSPACES: f"{API}/me/workspaces?since={{since}}",
    PROJECTS: f"{API}/me/projects?include_archived=true&since={{since}}",
    CLIENTS: f"{API}/me/clients?since={{since}}",
    TAGS: f"{API}/me/tags?since={{since}}",
    TASKS: f"{API}/me/tasks?include_not_active=true&since={{since}}",
}
#: Kinds whose ``since`` listing brings deleted objects back (with ``server_deleted_at``, or
#: ``deleted_at`` for tags); deletions of the others show at the next whole listing.
REPORTS_DELETIONS = (PROJECTS, TAGS)
#: A catalog kind is listed whole again at least this often (seconds).
FULL_LISTING_SECONDS = 900.0
#: The most projects one page of ``/workspaces/{wid}/projects`` holds.
WORKSPACE_PAGE = 200
CURRENT_ENTRY = f"{API}/me/time_entries/current"
#: The first fill of time entries covers starts from this many days back ...
FILL_DAYS_BACK = 35
#: ... up to this many days ahead (entries can be dated in the future).
FILL_DAYS_AHEAD = 366
#: A bucket's last requests are kept for the caller's writes; refreshes never spend them
#: (:func:`trackgate.shield.quota.may_spend` decides).
RESERVED_REQUESTS = 5
#: After a kind could not be filled, reads of it pass through this long (at most the
#: freshness limit) before the mirror tries again.
FILL_BACKOFF_SECONDS = 10.0
#: A refresh lease lasts at most this long; a crashed holder blocks no one for longer.
LEASE_SECONDS = 15.0


def is_fresh(
    fetched_at: float,
    dirty_at: float | None,
    now: float,
    max_age: float,
    events_until: float | None = None,
) -> bool:
    """Fresh: no write or event since the last refresh whose effects the mirror could not
    apply, and either asked of the upstream at most ``max_age`` seconds ago or kept current
    by the upstream's events, heard lately (until ``events_until``)."""
    if dirty_at is not None and dirty_at >= fetched_at:
        return False
    if events_until is not None and now <= events_until:
        return True
    return now - fetched_at <= max_age


def fill_window(now: float) -> tuple[float, float]:
    """The start dates the first fill of time entries lists: whole UTC days around now."""
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    begin = today - timedelta(days=FILL_DAYS_BACK)
    end = today + timedelta(days=FILL_DAYS_AHEAD)
    return begin.timestamp(), end.timestamp()


def rfc3339(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fill_target(begin: float, end: float) -> str:
    return f"{API}/me/time_entries?start_date={rfc3339(begin)}&end_date={rfc3339(end)}"


def changes_target(since: float) -> str:
    return f"{API}/me/time_entries?since={math.floor(since)}"


def next_since(previous: float | None, newest_at: float | None) -> float | None:
    """Ask next for changes since the newest modification seen, less a second (the upstream's
    clock; a change stamped in the same second is not lost)."""
    candidates = [v for v in (previous, newest_at - 1 if newest_at is not None else None) if v]
    return max(candidates) if candidates else None


def since_target(kind: str, since: float) -> str:
    return SINCE_LISTINGS[kind].format(since=math.floor(since))


def needs_whole_listing(
    kind: str, since: float | None, listed_at: float | None, dirty_at: float | None, now: float
) -> bool:
    """Whether the next refresh of a catalog kind lists it whole rather than asking for
    changes: no ``since`` listing, never listed whole, the last whole listing too old, or a
    write since then whose effect the mirror could not apply."""
    if kind not in SINCE_LISTINGS or since is None or listed_at is None:
        return True
    if dirty_at is not None and dirty_at >= listed_at:
        return True
    return now - listed_at > FULL_LISTING_SECONDS


def workspace_listing(kind: str, workspace_id: int, since: float | None) -> str | None:
    """The same objects as the ``/me`` listing of ``kind``, for one workspace (charged to its
    organization's bucket): changes since ``since`` for projects, the whole workspace for the
    rest (their workspace listings take no ``since``); None for kinds listed only under
    ``/me``."""
    base = f"{API}/workspaces/{workspace_id}"
    if kind == PROJECTS:
        changes = f"&since={math.floor(since)}" if since is not None else ""
        return f"{base}/projects?per_page={WORKSPACE_PAGE}{changes}"
    if kind == CLIENTS:
        return f"{base}/clients?status=both"
    if kind == TAGS:
        return f"{base}/tags"
    return None


def is_deleted(value: dict[str, Any]) -> bool:
    """Deleted upstream: projects, clients, tasks and entries say so in ``server_deleted_at``,
    tags in ``deleted_at``."""
    return value.get("server_deleted_at") is not None or value.get("deleted_at") is not None


def listing_order(kind: str, value: dict[str, Any]) -> tuple[Any, ...]:
    """Where an object sits in its kind's ``/me`` listing: workspaces by id, the rest by
    name (case-insensitively), then id."""
    identity = value.get("id") if isinstance(value.get("id"), int) else 0
    if kind in (WORKSPACES, ORGANIZATIONS, ME):
        return (identity,)
    name = value.get("name")
    return (name.casefold() if isinstance(name, str) else "", identity)


# --- spelling ------------------------------------------------------------------------------


def _read_stamp(value: Any) -> Any:
    if isinstance(value, str) and value.endswith("Z") and len(value) == 20:
        return value[:-1] + "+00:00"
    return value


def entry_in_read_spelling(entry: dict[str, Any], start_epoch: float) -> dict[str, Any]:
    """A time entry from a write's answer, spelled as reads spell it: ``+00:00`` instead of
    ``Z``, ``[]`` for absent tags, ``-(start epoch)`` as a running entry's duration, and a
    create without duration or stop read back as a zero-length stopped entry."""
    out = dict(entry)
    out["start"] = _read_stamp(out.get("start"))
    out["stop"] = _read_stamp(out.get("stop"))
    duration = out.get("duration")
    if out.get("stop") is None and isinstance(duration, int):
        if duration < 0:
            out["duration"] = -math.floor(start_epoch)
        else:
            out["stop"] = out["start"]
    for key in ("tags", "tag_ids"):
        if out.get(key) is None:
            out[key] = []
    return out


def is_running(entry: dict[str, Any]) -> bool:
    duration = entry.get("duration")
    return entry.get("stop") is None and isinstance(duration, int) and duration < 0


# --- writes --------------------------------------------------------------------------------

_WS = rf"^{API}/workspaces/\d+"
_ENTRY_CREATE = re.compile(_WS + r"/time_entries$")
_ENTRY_ONE = re.compile(_WS + r"/time_entries/(\d+)$")
_ENTRY_STOP = re.compile(_WS + r"/time_entries/(\d+)/stop$")
_ENTRY_ANY = re.compile(_WS + r"/time_entries")
_PROJECTS = re.compile(_WS + r"/projects")
_CLIENTS = re.compile(_WS + r"/clients")
_TAGS = re.compile(_WS + r"/tags")
_TASKS = re.compile(_WS + r"/(projects/\d+/)?tasks")
_WORKSPACE = re.compile(_WS + r"$")
_ME = re.compile(rf"^{API}/me(/|$)")


@dataclass(frozen=True)
class WriteEffect:
    """What a successful write changes: an entry the mirror can store from the answer
    (``entry``: "created" or "changed") or hide ("deleted"), and the kinds it can only mark
    dirty."""

    entry: str | None = None
    dirty: tuple[str, ...] = ()


def write_effect(method: str, path: str) -> WriteEffect:
    """The effect of a write on the mirror; anything unknown dirties every kind."""
    if method == "POST" and _ENTRY_CREATE.match(path):
        return WriteEffect(entry="created")
    if (method == "PUT" and _ENTRY_ONE.match(path)) or (
        method == "PATCH" and _ENTRY_STOP.match(path)
    ):
        return WriteEffect(entry="changed")
    if method == "DELETE" and _ENTRY_ONE.match(path):  # gone at once; its tombstone comes
        return WriteEffect(entry="deleted", dirty=(TIME_ENTRIES, PROJECTS))  # with a refresh
    if _ENTRY_ANY.match(path):  # deletes and bulk edits answer no entry to store; projects
        return WriteEffect(dirty=(TIME_ENTRIES, PROJECTS))  # count their tracked time
    if _TASKS.match(path):  # projects count their tasks and tracked time
        return WriteEffect(dirty=(TASKS, PROJECTS))
    # workspaces count their active projects; client_name may make a client; a project's
    # deletion touches its entries and takes its tasks; archiving a client archives its projects
    if _PROJECTS.match(path):
        return WriteEffect(dirty=(PROJECTS, TASKS, CLIENTS, TIME_ENTRIES, WORKSPACES))
    if _CLIENTS.match(path):
        return WriteEffect(dirty=(CLIENTS, PROJECTS, WORKSPACES))
    if _TAGS.match(path):  # a deleted tag leaves its entries
        return WriteEffect(dirty=(TAGS, TIME_ENTRIES))
    if _WORKSPACE.match(path):
        return WriteEffect(dirty=(WORKSPACES,))
    if _ME.match(path) and not path.startswith(f"{API}/me/time_entries"):
        return WriteEffect(dirty=(ME,))
    return WriteEffect(dirty=KINDS)
