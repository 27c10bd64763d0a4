"""Reads of time entries from the mirror: the running entry, one entry, the listing by
``since``, by a range of start instants (``start_date``, ``end_date``, ``before``) or over
Toggl's default window, each with or without ``meta=true``.

A listing is answered only when the mirror provably holds every entry it covers: the range
starts at or after ``covered_from``, ``since`` at or after ``changes_from``. A date-only bound
(``2026-03-01``) is placed at that day's 00:00 in UTC and in the user's own time zone; when
the two differ, the read is answered only if no held entry starts between them (then the
answer is the same whichever way the upstream places the date).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from trackgate.shield import queries, rules
from trackgate.shield.rawjson import epoch, join_array
from trackgate.shield.rawobject import join_object, member, members, value_text
from trackgate.shield.rules import CLIENTS, ME, PROJECTS, TASKS, TIME_ENTRIES
from trackgate.shield.views import ALL_TIME, Coverage, Held, Read, View
from trackgate.zones import zone_named

#: ``/me/time_entries`` asked nothing: entries starting at or after 00:00 UTC this many days
#: ago (Toggl's settled default) ...
DEFAULT_WINDOW_DAYS = 10
#: ... which the mirror does not answer this close to midnight UTC, where its clock and the
#: upstream's may disagree on the day.
MIDNIGHT_MARGIN_SECONDS = 300

META_KINDS = (TIME_ENTRIES, ME, PROJECTS, CLIENTS, TASKS)


def newest_first(entries: list[Held]) -> list[Held]:
    return sorted(entries, key=lambda h: (h.start or 0.0, h.object_id), reverse=True)


def current(view: View) -> bytes:
    for held in newest_first(view.live(TIME_ENTRIES)):
        if rules.is_running(held.value):
            return held.body.encode()
    return b"null"


# --- meta=true -----------------------------------------------------------------------------


class _Names:
    """What ``meta=true`` adds to an entry, from the held user, projects, clients, tasks."""

    def __init__(self, view: View) -> None:
        users = view.live(ME)
        self.user = members(users[0].body) if users else None
        self.projects = view.by_id(PROJECTS)
        self.clients = view.by_id(CLIENTS)
        self.tasks = view.by_id(TASKS)

    def add(self, held: Held) -> str | None:
        """The entry with its names joined in, as the upstream writes them; None when one of
        them is not held."""
        found = members(held.body)
        if found is None or self.user is None:
            return None
        value = held.value
        project_id, task_id = value.get("project_id"), value.get("task_id")
        names = dict.fromkeys(
            ("client_name", "project_name", "project_color", "project_active", "project_billable"),
            "null",
        )
        if project_id is not None:
            project = self.projects.get(project_id) if isinstance(project_id, int) else None
            if project is None:
                return None
            shown = members(project.body) or []
            for key, source in (
                ("project_name", "name"),
                ("project_color", "color"),
                ("project_active", "active"),
                ("project_billable", "billable"),
            ):
                text = value_text(shown, source)
                if text is None:
                    return None
                names[key] = text
            client_id = project.value.get("client_id")
            if client_id is not None:
                client = self.clients.get(client_id) if isinstance(client_id, int) else None
                text = value_text(members(client.body) or [], "name") if client else None
                if text is None:
                    return None
                names["client_name"] = text
        for key, source in (("user_name", "fullname"), ("user_avatar_url", "image_url")):
            text = value_text(self.user, source)
            if text is None:
                return None
            names[key] = text
        if task_id is not None:
            task = self.tasks.get(task_id) if isinstance(task_id, int) else None
            text = value_text(members(task.body) or [], "name") if task else None
            if text is None:
                return None
            names["task_name"] = text
        return join_object(found + [member(k, v) for k, v in names.items()])


def _render(view: View, entries: list[Held], meta: bool) -> bytes | None:
    if not meta:
        return join_array([h.body for h in entries])
    names = _Names(view)
    bodies = [names.add(h) for h in entries]
    if any(body is None for body in bodies):
        return None
    return join_array([body for body in bodies if body is not None])


def single(entry_id: int, meta: bool) -> Read:
    def answer(view: View) -> bytes | None:
        for held in view.live(TIME_ENTRIES):
            if held.object_id == entry_id:
                if not meta:
                    return held.body.encode()
                body = _Names(view).add(held)
                return body.encode() if body is not None else None
        return None

    return Read(META_KINDS if meta else (TIME_ENTRIES,), answer)


# --- bounds --------------------------------------------------------------------------------

#: where a bound falls: the earliest and latest instant the upstream may place it at
Span = tuple[float, float]


def user_zone(view: View) -> ZoneInfo | None:
    users = view.live(ME)
    name = users[0].value.get("timezone") if users else None
    if not isinstance(name, str) or not name:
        return None
    return zone_named(name)


def place(value: str, view: View) -> Span | None:
    """An RFC 3339 instant, or a date at 00:00 in UTC and in the user's zone; None when it
    cannot be placed (the upstream's 400, or a zone the mirror does not know)."""
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        zone = user_zone(view)
        if zone is None:
            return None
        in_utc = datetime.combine(day, time(), UTC).timestamp()
        local = datetime.combine(day, time(), zone).timestamp()
        return min(in_utc, local), max(in_utc, local)
    found = epoch(value)
    if found is None or "T" not in value:
        return None
    return found, found


def _unsure_between(entries: list[Held], span: Span | None) -> bool:
    if span is None or span[0] == span[1]:
        return False
    return any(h.start is not None and span[0] <= h.start < span[1] for h in entries)


def default_window(now: float) -> float | None:
    """The start of Toggl's default window, or None too close to midnight UTC to be sure."""
    clock = datetime.fromtimestamp(now, UTC)
    midnight = datetime.combine(clock.date(), time(), UTC)
    since_midnight = (clock - midnight).total_seconds()
    if min(since_midnight, 86400 - since_midnight) < MIDNIGHT_MARGIN_SECONDS:
        return None
    return (midnight - timedelta(days=DEFAULT_WINDOW_DAYS)).timestamp()


# --- listings ------------------------------------------------------------------------------


def _changes(since: int, meta: bool) -> Read:
    def answer(view: View) -> bytes | None:
        known = view.coverage.changes_from
        if known is None or since < known:
            return None
        found = [h for h in view.objects.get(TIME_ENTRIES, []) if (h.at or 0.0) >= since]
        return _render(view, newest_first(found), meta)

    def viable(coverage: Coverage) -> bool:
        return coverage.changes_from is None or since >= coverage.changes_from

    return Read(META_KINDS if meta else (TIME_ENTRIES,), answer, viable)


def holds_all(coverage: Coverage) -> bool:
    """Whether the mirror provably holds every entry the account has."""
    return coverage.covered_from is not None and coverage.covered_from <= ALL_TIME


def _range(bounds: dict[str, str], meta: bool, clock: float | None) -> Read:
    """Entries by start: ``start_date`` <= start < ``end_date``, start < ``before``."""

    def answer(view: View) -> bytes | None:
        entries = view.live(TIME_ENTRIES)
        spans = {name: place(text, view) for name, text in bounds.items()}
        if any(span is None for span in spans.values()):
            return None
        low, end, before = spans.get("start_date"), spans.get("end_date"), spans.get("before")
        if low and end and (low[0] > end[0] or low[1] > end[1]):
            return None  # perhaps the upstream's 400, not ours to phrase
        if any(_unsure_between(entries, span) for span in spans.values()):
            return None
        if low is None and clock is not None:
            window = default_window(clock)
            if window is None:
                return None
            low = (window, window)
        covered = view.coverage.covered_from
        if covered is None or (low[0] if low else ALL_TIME) < covered:
            return None
        found = [
            h
            for h in entries
            if h.start is not None
            and (low is None or h.start >= low[0])
            and (end is None or h.start < end[0])
            and (before is None or h.start < before[0])
        ]
        return _render(view, newest_first(found), meta)

    def viable(coverage: Coverage) -> bool:
        if "start_date" not in bounds and clock is None:
            return holds_all(coverage)  # no lower bound
        low = epoch(bounds["start_date"]) if "start_date" in bounds else None
        covered = coverage.covered_from
        return low is None or covered is None or low >= covered

    return Read(META_KINDS if meta else (TIME_ENTRIES, ME), answer, viable)


def listing(query: dict[str, str], now: float) -> Read | None:
    """``GET /me/time_entries``: which reads the mirror answers, or None to pass through."""
    given = {k: v for k, v in query.items() if v != ""}
    if set(given) - {"since", "before", "start_date", "end_date", "meta"}:
        return None
    try:
        meta = bool(queries.flag(given, "meta"))
        since = queries.unix(given, "since")
    except queries.Unsure:
        return None
    given.pop("meta", None)
    if since is not None:
        return _changes(since, meta) if len(given) == 1 else None
    return _range(given, meta, now if not given else None)
