"""Reports as clients reach them: a Toggl reports client with only its base URL changed, on
the service directly (in-process and on a real socket) and through the gateway (the embedded
service, and an HTTP upstream standing in for Toggl); and the gateway's answers to calls sent
to the wrong place."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi.testclient import TestClient

from tests.conftest import LiveServer, Person, basic, start_live_server, stop_live_server
from tests.proxy.helpers import (
    Account,
    FakeUpstream,
    assert_gateway_error,
    make_account,
    make_connection,
)
from tests.reports.helpers import Team, assert_toggl_error, make_team
from tests.reports.toggl_reports_client import TogglReports
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime
from trackgate.service.auth import GATEWAY_KEY_HINT

START, END = "2024-11-01", "2024-12-31"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The gateway's per-account rate limit raised: a client paging fast is not what is tested."""
    return settings.with_overrides(rate_limit="10000/second")


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    made = make_team(client, runtime)
    made.workspace(default_hourly_rate=30.0)
    project = made.project("Apollo", billable=True)
    for day in range(1, 31):
        for person, hour in ((made.admin, 8), (made.member, 10), (made.other, 14)):
            made.entry(
                person,
                f"2024-11-{day:02d}T{hour:02d}:00:00Z",
                600 + day * 60,
                project_id=project["id"] if day % 2 else None,
                billable=day % 3 == 0,
                description=f"task {day % 5}",
            )
    return made


def check_client(reports: TogglReports, expected_ids: set[int] | None = None) -> list[int]:
    """What a reports library does: page through, read totals/summary/weekly, download."""
    rows = list(reports.detailed(START, END, page_size=25))
    ids = [e["id"] for row in rows for e in row["time_entries"]]
    assert len(ids) == len(set(ids)) == 90
    assert [row["row_number"] for row in rows] == list(range(1, 91))
    if expected_ids is not None:
        assert set(ids) == expected_ids
    totals = reports.totals(START, END)
    assert totals["seconds"] == sum(e["seconds"] for row in rows for e in row["time_entries"])
    assert totals["billable_amount_in_cents"] == sum(r["billable_amount_in_cents"] for r in rows)
    summary = reports.summary(START, END)
    assert (
        sum(s["seconds"] for g in summary["groups"] for s in g["sub_groups"]) == totals["seconds"]
    )
    weekly = reports.weekly("2024-11-04")
    assert weekly and all(len(r["seconds"]) == 7 for r in weekly)
    csv_text = reports.export("search", "csv", START, END).decode("utf-8")
    assert csv_text.startswith("User,Email,Client,Project") and csv_text.count("\r\n") == 91
    assert reports.export("summary", "pdf", START, END).startswith(b"%PDF")
    assert reports.export("weekly", "csv", "2024-11-04", "2024-11-10").startswith(b"User,Project")
    return ids


def test_a_toggl_reports_client_pages_through_a_detailed_report(team: Team) -> None:
    reports = TogglReports(team.client, "http://testserver", team.admin.token, team.workspace_id)
    check_client(reports)


@pytest.fixture
def gateway_account(team: Team) -> Account:
    account = make_account(team.runtime)
    make_connection(team.runtime, account.account_id, team.admin.token)
    return account


def test_the_same_client_through_the_gateway_reaches_the_embedded_reports(
    team: Team, gateway_account: Account
) -> None:
    direct = TogglReports(team.client, "http://testserver", team.admin.token, team.workspace_id)
    through = TogglReports(
        team.client, "http://testserver/toggl-track", gateway_account.api_key, team.workspace_id
    )
    assert check_client(through) == check_client(direct)
    body = {"start_date": START, "end_date": END, "page_size": 7}
    url = f"/reports/api/v3/workspace/{team.workspace_id}/search/time_entries"
    own = team.client.post(url, json=body, headers=team.admin.auth)
    proxied = team.client.post("/toggl-track" + url, json=body, headers=gateway_account.bearer)
    assert proxied.status_code == 200
    assert proxied.content == own.content
    assert proxied.headers["x-next-id"] == own.headers["x-next-id"]


def test_a_report_error_through_the_gateway_is_toggls_own(
    team: Team, gateway_account: Account
) -> None:
    url = f"/toggl-track/reports/api/v3/workspace/{team.workspace_id}/search/time_entries"
    r = team.client.post(url, json={"start_date": "nope"}, headers=gateway_account.bearer)
    assert_toggl_error(r, 400, "start_date")
    r = team.client.post(url + "/nothing", json={}, headers=gateway_account.bearer)
    assert_toggl_error(r, 404, "Not Found")
    r = team.client.get("/toggl-track/api/v8/me", headers=gateway_account.bearer)
    assert_toggl_error(r, 404, "Not Found")


# --- an HTTP upstream standing in for Toggl ------------------------------------------------


class ReportsUpstream(FakeUpstream):
    """Answers reports as Toggl would, after one 429 per path (so retries show)."""

    async def _reports(self, request: web.Request) -> web.StreamResponse:
        if self.hits[request.raw_path] == 1:
            return web.json_response("slow down", status=429, headers={"Retry-After": "0"})
        return web.Response(
            body=b'[{"row_number":1,"time_entries":[]}]',
            content_type="application/json",
            headers={"X-Next-ID": "77", "X-Next-Row-Number": "2"},
        )


@pytest.fixture
def toggl_upstream() -> Iterator[ReportsUpstream]:
    fake = ReportsUpstream()
    fake.start()
    yield fake
    fake.stop()


def test_reports_reach_an_upstream_byte_for_byte_and_are_retried_like_reads(
    settings: Settings, toggl_upstream: ReportsUpstream
) -> None:
    runtime = build_runtime(settings.with_overrides(upstream_url=toggl_upstream.url))
    try:
        account = make_account(runtime)
        make_connection(runtime, account.account_id, "upstream-token")
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            path = "/reports/api/v3/workspace/5/search/time_entries"
            sent = b'{"start_date":"2024-12-01", "end_date":"2024-12-31","page_size":1}'
            r = client.post(
                "/toggl-track" + path,
                content=sent,
                headers={**account.bearer, "Content-Type": "application/json"},
            )
    finally:
        runtime.close()
    assert r.status_code == 200, r.text
    assert r.content == b'[{"row_number":1,"time_entries":[]}]'
    assert (r.headers["x-next-id"], r.headers["x-next-row-number"]) == ("77", "2")
    assert [s.raw_path for s in toggl_upstream.seen] == [path, path]  # the 429, then the retry
    last = toggl_upstream.seen[-1]
    assert last.method == "POST" and last.body == sent
    user, _, password = base64.b64decode(last.headers["Authorization"][6:]).decode().partition(":")
    assert (user, password) == ("upstream-token", "api_token")


# --- calls sent to the wrong place ----------------------------------------------------------


def test_an_unknown_app_is_404_before_any_key_is_asked_for(client: TestClient) -> None:
    assert_gateway_error(client.get("/nosuchapp/api/v9/me"), 404, "unknown_app")
    r = client.post("/reports-api/v3/workspace/1/search/time_entries", json={})
    assert_gateway_error(r, 404, "unknown_app")


def test_without_the_service_a_reports_path_is_an_unknown_app(settings: Settings) -> None:
    runtime = build_runtime(
        settings.with_overrides(service_enabled=False, upstream_url="http://127.0.0.1:9")
    )
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            r = client.post("/reports/api/v3/workspace/1/search/time_entries", json={})
    finally:
        runtime.close()
    body = assert_gateway_error(r, 404, "unknown_app")
    assert "reports" in body["error"]["message"]


def test_a_gateway_key_sent_to_the_service_is_told_where_to_go(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    account = make_account(runtime)
    for headers in (account.bearer, account.basic):
        r = client.get("/api/v9/me", headers=headers)
        assert_toggl_error(r, 403, "/toggl-track/")
        assert json.loads(r.content) == GATEWAY_KEY_HINT
        assert account.api_key not in r.text
        url = f"/reports/api/v3/workspace/{user.workspace_id}/search/time_entries"
        r = client.post(url, json={"start_date": START}, headers=headers)
        assert_toggl_error(r, 403, "/toggl-track/")
    wrong = client.get("/api/v9/me", headers=basic("not-a-token", "api_token"))
    assert_toggl_error(wrong, 403, "Incorrect username and/or password")


def test_an_unknown_path_under_the_service_is_toggls_404(client: TestClient, user: Person) -> None:
    assert_toggl_error(client.get("/api/v9/no/such/thing", headers=user.auth), 404, "Not Found")
    assert_toggl_error(client.post("/reports/api/v3/nothing", headers=user.auth), 404)


# --- a real socket ------------------------------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path)
    yield server
    stop_live_server(server)


@pytest.mark.socket
def test_the_client_on_a_real_socket(live: LiveServer) -> None:
    made = live.cli(
        "users",
        "create",
        "--data-dir",
        str(live.data_dir),
        "--email",
        "r@example.com",
        "--password",
        "secret123",
        "--fullname",
        "Rey Ports",
    )
    assert made.returncode == 0, made.stderr
    me: dict[str, Any] = json.loads(made.stdout)
    token, wid = str(me["api_token"]), int(me["default_workspace_id"])
    with httpx.Client(timeout=30) as http:
        for day in range(1, 31):
            for hour in (8, 11, 15):
                r = http.post(
                    f"{live.url}/api/v9/workspaces/{wid}/time_entries",
                    json={
                        "workspace_id": wid,
                        "created_with": "t",
                        "duration": 900,
                        "start": f"2024-11-{day:02d}T{hour:02d}:00:00Z",
                    },
                    headers=basic(token, "api_token"),
                )
                assert r.status_code == 200, r.text
        check_client(TogglReports(http, live.url, token, wid))


def test_the_openapi_document_lists_the_reports(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/reports/api/v3/workspace/{workspace_id}/search/time_entries" in paths
    assert "/reports/api/v3/workspace/{workspace_id}/weekly/time_entries.pdf" in paths
    assert "/api/v9/me" in paths
