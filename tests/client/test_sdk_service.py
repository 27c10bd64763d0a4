"""One suite for both clients (sync and async), straight to the service and through the
gateway: every resource against the real service, in-process."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.client.conftest import ROOT, Target
from trackgate.client import (
    AmbiguousNameError,
    AuthenticationError,
    ConflictError,
    Me,
    NotFoundError,
    Project,
    TimeEntry,
    UnknownNameError,
)
from trackgate.gateway.guard import TOKEN_STAND_IN


def test_me_keeps_the_server_object(toggl: Any, target: Target) -> None:
    me = toggl.me.get()
    assert isinstance(me, Me)
    assert me.id == target.user.id and me.email == target.user.email
    assert me.default_workspace_id == target.user.workspace_id
    expected = list(target.user.me)
    if target.route == "gateway":
        assert me.raw["api_token"] == TOKEN_STAND_IN  # the gateway never hands out the credential
        assert list(me.raw) == expected
    else:
        assert me.api_token == target.user.token
        assert list(me.raw) == list(target.user.me)


def test_timer_start_current_stop(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    assert toggl.time_entries.current() is None
    started = toggl.time_entries.start(wid, "Writing", tags=["focus"], billable=True)
    assert isinstance(started, TimeEntry) and started.running
    assert started.tags == ["focus"] and started.billable is True
    current = toggl.time_entries.current()
    assert current is not None and current.id == started.id
    assert current.duration is not None and current.duration < -1_000_000
    stopped = toggl.time_entries.stop(wid, started.id)
    assert not stopped.running and stopped.stop is not None
    assert stopped.raw["stop"].endswith("Z")  # the write answer's spelling, kept
    with pytest.raises(ConflictError) as caught:
        toggl.time_entries.stop(wid, started.id)
    assert caught.value.status == 409 and caught.value.message == "Time entry already stopped"
    assert toggl.time_entries.current() is None


def test_starting_a_timer_stops_the_running_one(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    first = toggl.time_entries.start(wid, "one")
    second = toggl.time_entries.start(wid, "two")
    assert toggl.time_entries.current().id == second.id
    assert toggl.time_entries.get(first.id).stop is not None


def test_create_get_update_list_delete(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    made = toggl.time_entries.create(wid, start=start, duration=5400, description="Review")
    assert made.start == start and made.stop == start + timedelta(seconds=5400)
    fetched = toggl.time_entries.get(made.id)
    assert fetched.raw["start"] == "2026-01-05T09:00:00+00:00"  # GET spelling, kept
    changed = toggl.time_entries.update(wid, made.id, description="Code review", tags=["a"])
    assert changed.description == "Code review" and changed.tags == ["a"]
    listed = toggl.time_entries.list(start_date=date(2026, 1, 5), end_date=date(2026, 1, 6))
    assert [e.id for e in listed] == [made.id]
    walked = toggl.time_entries.iterate(date(2025, 11, 1), date(2026, 1, 31), window_days=7)
    assert [e.id for e in walked] == [made.id]
    toggl.time_entries.delete(wid, made.id)
    with pytest.raises(NotFoundError):
        toggl.time_entries.get(made.id)


def test_models_print_exactly_what_the_server_sent(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    made = toggl.time_entries.create(
        wid, start="2026-02-02T10:00:00Z", duration=60, description="raw"
    )
    client = toggl.raw
    url = f"{client.endpoint.api_url}/me/time_entries/{made.id}"
    entry = toggl.time_entries.get(made.id)
    sent = toggl.send("GET", url).json()
    assert json.dumps(entry.to_json()) == json.dumps(sent)
    assert list(entry.raw) == list(sent)


def test_bulk_edit(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    ids = [
        toggl.time_entries.create(wid, start=f"2026-03-0{d}T09:00:00Z", duration=60).id
        for d in (2, 3)
    ]
    result = toggl.time_entries.bulk_edit(wid, ids, description="batch", billable=True)
    assert sorted(result.success) == sorted(ids) and result.failure == []
    assert {toggl.time_entries.get(i).description for i in ids} == {"batch"}


def test_projects_pages_and_edits(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    made = [toggl.projects.create(wid, f"P{i}", color="#06aaf5") for i in range(5)]
    assert all(isinstance(p, Project) and p.active for p in made)
    listed = toggl.projects.list(wid, per_page=2)
    assert sorted(p.id for p in listed) == sorted(p.id for p in made)
    renamed = toggl.projects.update(wid, made[0].id, name="Renamed")
    assert toggl.projects.get(wid, made[0].id).name == renamed.name == "Renamed"
    toggl.projects.delete(wid, made[1].id)
    assert made[1].id not in {p.id for p in toggl.projects.list(wid)}


def test_clients_archive_and_restore(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    client = toggl.clients.create(wid, "Acme")
    project = toggl.projects.create(wid, "Site", client_id=client.id)
    assert toggl.clients.archive(wid, client.id) == [project.id]
    assert toggl.clients.list(wid) == []
    assert [c.id for c in toggl.clients.list(wid, status="archived")] == [client.id]
    restored = toggl.clients.restore(wid, client.id, restore_all_projects=True)
    assert restored.archived is False
    assert toggl.projects.get(wid, project.id).active is True
    toggl.clients.update(wid, client.id, name="Acme Inc")
    assert toggl.clients.get(wid, client.id).name == "Acme Inc"
    toggl.clients.delete(wid, client.id)
    with pytest.raises(NotFoundError):
        toggl.clients.get(wid, client.id)


def test_tags_and_tasks(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    tag = toggl.tags.create(wid, "deep")
    assert toggl.tags.update(wid, tag.id, "deep-work").name == "deep-work"
    assert [t.name for t in toggl.tags.list(wid)] == ["deep-work"]
    toggl.tags.delete(wid, tag.id)
    assert toggl.tags.list(wid) == []
    project = toggl.projects.create(wid, "With tasks")
    tasks = [toggl.tasks.create(wid, project.id, f"T{i}") for i in range(3)]
    assert {t.name for t in toggl.tasks.list(wid, project.id)} == {"T0", "T1", "T2"}
    walked = toggl.tasks.iterate_workspace(wid, per_page=2)
    assert sorted(t.id for t in walked) == sorted(t.id for t in tasks)
    assert toggl.tasks.update(wid, project.id, tasks[0].id, name="First").name == "First"
    toggl.tasks.delete(wid, project.id, tasks[0].id)
    with pytest.raises(NotFoundError):
        toggl.tasks.get(wid, project.id, tasks[0].id)


def test_workspaces(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    assert [w.id for w in toggl.workspaces.list()] == [wid]
    workspace = toggl.workspaces.get(wid)
    assert workspace.id == wid and workspace.name
    assert [u.id for u in toggl.workspaces.users(wid)] == [target.user.id]


def test_names_resolve_from_the_cache(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    toggl.projects.create(wid, "Alpha")
    toggl.projects.create(wid, "alpha")
    toggl.projects.create(wid, "Beta")
    assert toggl.names.project("Beta", wid).name == "Beta"
    assert toggl.names.project("ALPHA".lower(), wid).name == "alpha"  # exact case wins
    with pytest.raises(UnknownNameError):
        toggl.names.project("Gamma", wid)
    toggl.projects.create(wid, "Gam")
    toggl.projects.create(wid, "gam ")
    with pytest.raises(AmbiguousNameError) as caught:
        toggl.names.project("GAM", wid)
    assert len(caught.value.matches) == 2
    workspace = toggl.names.workspace(str(wid))
    assert workspace.id == wid


def test_name_cache_spares_reads_directly_not_through_a_gateway(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    toggl.names.refresh("tags")
    if target.route == "gateway":
        assert toggl.raw.names_cache is None
        return
    cache = toggl.raw.names_cache
    cache.objects["tags"][999_999] = {"id": 999_999, "name": "only-cached", "workspace_id": wid}
    assert toggl.names.tag("only-cached", wid).id == 999_999  # no read: served from the cache
    cache.refreshed["tags"] -= 120  # older than 60 s: refreshed with since
    toggl.tags.create(wid, "fresh")
    assert toggl.names.tag("fresh", wid).name == "fresh"
    # A tag made behind the client's back within the 60 s: an unknown name asks for changes.
    url = f"{toggl.raw.endpoint.api_url}/workspaces/{wid}/tags"
    toggl.send("POST", url, json={"name": "elsewhere", "workspace_id": wid})
    assert toggl.names.tag("elsewhere", wid).name == "elsewhere"


def test_email_and_password(connect: Any, target: Target) -> None:
    if target.route == "gateway":
        pytest.skip("a gateway takes its key, not a person's password")
    toggl = connect(
        email=target.user.email, password=target.user.password, base_url=f"{ROOT}/api/v9"
    )
    assert toggl.me.get().id == target.user.id


def test_wrong_credentials_raise_authentication_error(connect: Any, target: Target) -> None:
    options = dict(target.options)
    if target.route == "gateway":
        options["gateway_key"] = "tg_wrong"
    else:
        options["api_token"] = "0" * 32
    toggl = connect(**options)
    with pytest.raises(AuthenticationError) as caught:
        toggl.me.get()
    assert caught.value.status in (401, 403)
    if target.route == "gateway":
        assert caught.value.code  # the gateway's own error shape is read


def test_reports_against_the_service(toggl: Any, target: Target) -> None:
    wid = target.user.workspace_id
    project = toggl.projects.create(wid, "Reported")
    for day in (2, 3, 4):
        toggl.time_entries.create(
            wid, start=f"2026-03-0{day}T09:00:00Z", duration=1800, project_id=project.id
        )
    rows = toggl.reports.detailed(wid, "2026-03-01", "2026-03-31", page_size=1)  # header paging
    assert len(rows) == 3
    seconds = sum(piece["seconds"] for row in rows for piece in row.time_entries or [])
    assert seconds == 3 * 1800
    summary = toggl.reports.summary(wid, "2026-03-01", "2026-03-31")
    assert [group["id"] for group in summary["groups"]] == [project.id]
