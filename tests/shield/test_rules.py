"""The shield's rules on their own: raw JSON kept as written, read spelling, what writes
change, and which reads the mirror may answer."""

from __future__ import annotations

import json

import pytest

from trackgate.shield import rules
from trackgate.shield.mirror import cache_control
from trackgate.shield.rawjson import parse_objects, split_array
from trackgate.shield.reads import Coverage, Held, View, plan


def test_arrays_split_into_each_elements_own_text() -> None:
    text = '[ {"a": "x,]}", "b": [1, {"c": "\\"}"}]} ,{"z":1.50,"é":"\\u00e9"}, 3 ]'
    parts = split_array(text)
    assert parts == ['{"a": "x,]}", "b": [1, {"c": "\\"}"}]}', '{"z":1.50,"é":"\\u00e9"}', "3"]
    assert split_array("[]") == [] and split_array(" [ ] ") == []
    assert split_array('{"a": 1}') is None
    found = parse_objects('[{"b":2,"a":1}]')
    assert found is not None and found[0][0] == '{"b":2,"a":1}'
    assert parse_objects("[1, 2]") is None and parse_objects("not json") is None


def test_a_write_answer_is_stored_in_read_spelling() -> None:
    running = {
        "id": 1,
        "start": "2024-12-16T01:55:24Z",
        "stop": None,
        "duration": -1,
        "tags": None,
        "tag_ids": None,
        "at": "2024-12-16T01:55:24.5Z",
    }
    start = 1734314124.0
    read = rules.entry_in_read_spelling(running, start)
    assert list(read) == list(running)  # key order kept
    assert read["start"] == "2024-12-16T01:55:24+00:00" and read["stop"] is None
    assert read["duration"] == -1734314124 and read["tags"] == [] and read["tag_ids"] == []
    assert read["at"] == running["at"]
    bare = rules.entry_in_read_spelling({**running, "duration": 0}, start)
    assert bare["stop"] == bare["start"] and bare["duration"] == 0
    stopped = {**running, "stop": "2024-12-16T02:00:00Z", "duration": 276, "tags": ["a"]}
    assert rules.entry_in_read_spelling(stopped, start)["stop"] == "2024-12-16T02:00:00+00:00"


@pytest.mark.parametrize(
    ("method", "path", "entry", "dirty"),
    [
        ("POST", "/api/v9/workspaces/1/time_entries", "created", ()),
        ("PUT", "/api/v9/workspaces/1/time_entries/5", "changed", ()),
        ("PATCH", "/api/v9/workspaces/1/time_entries/5/stop", "changed", ()),
        ("DELETE", "/api/v9/workspaces/1/time_entries/5", "deleted", ("time_entries",)),
        ("PATCH", "/api/v9/workspaces/1/time_entries/5,6", None, ("time_entries",)),
        ("POST", "/api/v9/workspaces/1/clients/3/archive", None, ("clients", "projects")),
        ("POST", "/api/v9/workspaces/1/tags", None, ("tags", "time_entries")),
        ("PUT", "/api/v9/workspaces/1/projects/2/tasks/7", None, ("tasks", "projects")),
        ("POST", "/api/v9/workspaces/1/tasks", None, ("tasks",)),
        ("DELETE", "/api/v9/workspaces/1/projects/2", None, ("projects", "tasks")),
        ("PUT", "/api/v9/me", None, ("me",)),
        ("POST", "/api/v9/organizations", None, rules.KINDS),
    ],
)
def test_what_a_write_changes(
    method: str, path: str, entry: str | None, dirty: tuple[str, ...]
) -> None:
    effect = rules.write_effect(method, path)
    assert effect.entry == entry
    assert set(dirty) <= set(effect.dirty) and (dirty or not effect.dirty)


@pytest.mark.parametrize(
    ("target", "answerable"),
    [
        ("/api/v9/me", True),
        ("/api/v9/me?with_related_data=true", True),
        ("/api/v9/me?with_related_data=yes", False),
        ("/api/v9/me?extra=1", False),
        ("/api/v9/me/time_entries", True),  # Toggl's default window
        ("/api/v9/me/time_entries?before=2024-01-01", True),
        ("/api/v9/me/time_entries?start_date=2024-01-01&end_date=2024-01-02", True),
        ("/api/v9/me/time_entries?start_date=2024-01-01&meta=true", True),
        ("/api/v9/me/time_entries?meta=TRUE", False),
        ("/api/v9/me/time_entries?since=1700000000", True),
        ("/api/v9/me/time_entries?since=1&since=2", False),
        ("/api/v9/me/time_entries?since=1&before=2024-01-01", False),
        ("/api/v9/me/time_entries?since=1%zz", False),
        ("/api/v9/me/time_entries?page=2", False),
        ("/api/v9/me/time_entries/current", True),
        ("/api/v9/me/time_entries/12", True),
        ("/api/v9/me/time_entries/12?meta=true", True),
        ("/api/v9/me/projects", True),
        ("/api/v9/me/projects?include_archived=true", True),
        ("/api/v9/me/projects?since=5", False),
        ("/api/v9/me/tasks", True),
        ("/api/v9/me/tasks?since=5&include_not_active=true&offset=1&per_page=2&meta=true", True),
        ("/api/v9/me/tasks?per_page=0", False),
        ("/api/v9/me/organizations", True),
        ("/api/v9/organizations/7", True),
        ("/api/v9/organizations/7/users", False),
        ("/api/v9/workspaces/3/projects", True),
        ("/api/v9/workspaces/3/projects?active=false", True),
        ("/api/v9/workspaces/3/projects?active=both&name=ap%C3%A9&page=2&per_page=5", True),
        ("/api/v9/workspaces/3/projects?sort_field=client_name&sort_order=DESC", True),
        ("/api/v9/workspaces/3/projects?client_ids=4,5&billable=true&sort_pinned=true", True),
        ("/api/v9/workspaces/3/projects?since=5", False),  # deleted projects are not held
        ("/api/v9/workspaces/3/projects?sort_field=color", False),
        ("/api/v9/workspaces/3/projects?client_ids=[4]", False),
        ("/api/v9/workspaces/3/projects/4/tasks", True),
        ("/api/v9/workspaces/3/projects/4/tasks?active=true", True),
        ("/api/v9/workspaces/3/projects/4/tasks/5", True),
        ("/api/v9/workspaces/3/clients/4", True),
        ("/api/v9/workspaces/3/clients?status=both", False),
        ("/api/v9/workspaces/3/tasks", True),
        ("/api/v9/workspaces/3/tasks?sort_field=created_at", False),
        ("/api/v9/workspaces/3/tasks?pid=4,5", False),
        ("/api/v9/me/tags%2f", False),
        ("/reports/api/v3/workspace/3/search/time_entries", False),
    ],
)
def test_which_reads_the_mirror_answers(target: str, answerable: bool) -> None:
    path, _, query = target.partition("?")
    assert (plan(path, query) is not None) is answerable


def _entry(entry_id: int, start: float, at: float, **extra: object) -> Held:
    value = {"id": entry_id, "stop": "x", "duration": 5, **extra}
    return Held(entry_id, json.dumps(value), start=start, at=at, deleted="gone" in extra)


def test_time_entry_ranges_are_answered_only_inside_what_was_filled() -> None:
    me = Held(1, json.dumps({"id": 1, "timezone": "UTC"}))
    entries = [_entry(1, 1000.0, 1000.0), _entry(2, 90000.0, 90000.0), _entry(3, 91000.0, 5.0)]
    view = View({"me": [me], "time_entries": entries}, Coverage(500.0, 2000.0))
    inside = plan("/api/v9/me/time_entries", "start_date=1970-01-02&end_date=1970-01-03")
    assert inside is not None
    assert [e["id"] for e in json.loads(inside.answer(view) or b"")] == [3, 2]
    older = plan("/api/v9/me/time_entries", "start_date=1970-01-01T00:00:00Z")
    assert older is not None and older.answer(view) is None  # before the filled window
    since = plan("/api/v9/me/time_entries", "since=2000")
    assert since is not None and [e["id"] for e in json.loads(since.answer(view) or b"")] == [2]
    early = plan("/api/v9/me/time_entries", "since=1999")
    assert early is not None and early.answer(view) is None
    naive = plan("/api/v9/me/time_entries", "start_date=1970-01-02T00:00:00")
    assert naive is not None and naive.answer(view) is None  # the upstream's 400 to give
    # a date in Paris and in UTC: answered while no entry starts between the two midnights
    paris = [Held(1, '{"timezone": "Europe/Paris"}')]
    elsewhere = View({"me": paris, "time_entries": entries}, Coverage(500.0, 2000.0))
    assert [e["id"] for e in json.loads(inside.answer(elsewhere) or b"")] == [3, 2]
    between = [*entries, _entry(4, 84000.0, 84000.0)]  # 23:20 UTC, 00:20 in Paris
    unsure = View({"me": paris, "time_entries": between}, Coverage(500.0, 2000.0))
    assert inside.answer(unsure) is None
    nowhere = View({"me": [Held(1, '{"timezone": "Mars/Olympus"}')], "time_entries": entries})
    assert inside.answer(View(nowhere.objects, Coverage(500.0, 2000.0))) is None


def test_freshness_and_cache_control() -> None:
    assert rules.is_fresh(100.0, None, 150.0, 60.0)
    assert not rules.is_fresh(100.0, None, 161.0, 60.0)
    assert not rules.is_fresh(100.0, 120.0, 121.0, 60.0)  # a write it could not apply
    assert rules.is_fresh(100.0, 90.0, 121.0, 60.0)  # ... that a refresh has covered since
    assert cache_control(None, 60.0) == 60.0
    assert cache_control("no-cache", 60.0) is None
    assert cache_control("max-age=600", 60.0) == 600.0
    assert cache_control("max-age=0", 60.0) == 0.0


def test_events_heard_lately_keep_a_kind_fresh_until_they_stop() -> None:
    # fetched long ago, but the subscription was heard: fresh until events_until
    assert rules.is_fresh(100.0, None, 5000.0, 60.0, events_until=5100.0)
    # deliveries stopped: past events_until it polls as without webhooks
    assert not rules.is_fresh(100.0, None, 5101.0, 60.0, events_until=5100.0)
    # an event it could not apply makes it stale whatever the deliveries
    assert not rules.is_fresh(100.0, 4000.0, 5000.0, 60.0, events_until=5100.0)


def test_when_a_catalog_is_listed_whole_and_where_else_it_can_be_fetched() -> None:
    whole = rules.needs_whole_listing
    assert whole(rules.PROJECTS, None, 100.0, None, 200.0)  # no since yet
    assert whole(rules.ME, 5.0, 100.0, None, 200.0)  # no since listing at all
    assert not whole(rules.CLIENTS, 5.0, 100.0, None, 100.0 + rules.FULL_LISTING_SECONDS)
    assert whole(rules.CLIENTS, 5.0, 100.0, None, 101.0 + rules.FULL_LISTING_SECONDS)
    assert whole(rules.TAGS, 5.0, 100.0, 150.0, 200.0)  # a write it could not apply
    assert not whole(rules.TAGS, 5.0, 100.0, 50.0, 200.0)
    assert rules.since_target(rules.TASKS, 1700000000.9).endswith("&since=1700000000")
    assert rules.workspace_listing(rules.PROJECTS, 7, 12.5) == (
        "/api/v9/workspaces/7/projects?per_page=200&since=12"
    )
    assert (
        rules.workspace_listing(rules.CLIENTS, 7, 12.5)
        == "/api/v9/workspaces/7/clients?status=both"
    )
    assert rules.workspace_listing(rules.TASKS, 7, None) is None


def test_listing_order_and_deletions_by_kind() -> None:
    names = [{"id": 3, "name": "beta"}, {"id": 2, "name": "Alpha"}, {"id": 1, "name": "alpha"}]
    ordered = sorted(names, key=lambda v: rules.listing_order(rules.TAGS, v))
    assert [v["id"] for v in ordered] == [1, 2, 3]
    by_id = sorted(names, key=lambda v: rules.listing_order(rules.WORKSPACES, v))
    assert [v["id"] for v in by_id] == [1, 2, 3]
    assert rules.is_deleted({"deleted_at": "2024-12-15T20:17:59Z"})  # a tag
    assert rules.is_deleted({"server_deleted_at": "2024-12-15T20:17:59+00:00"})
    assert not rules.is_deleted({"server_deleted_at": None})


def test_related_lists_are_taken_out_only_where_toggl_adds_them() -> None:
    toggl = ["id", "oauth_providers", "tags", "clients", "projects", "authorization_updated_at"]
    assert rules.related_in_place(toggl)
    assert not rules.related_in_place(["id", "api_token", "workspaces"])  # no such place
    assert not rules.related_in_place(["id", "oauth_providers", "authorization_updated_at"])
    assert not rules.related_in_place(["tags", "id", "clients", "authorization_updated_at"])
