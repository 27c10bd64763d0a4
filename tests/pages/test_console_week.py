"""The console's "This week" page over a real socket, against a real ``trackgate serve``
whose own Toggl-compatible service is the upstream: a timer started from the form runs, is
stopped, and its time is in the week's chart; another account's member gets a 404; a form
without its CSRF token is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.pages.console_helpers import csrf_of
from tests.pages.console_live import Member, connect, make_project, signed_up

pytestmark = [pytest.mark.socket]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # the tests click faster than a person: the account's limit is not what they test
    live = start_live_server(
        tmp_path_factory.mktemp("console-week"), env={"TRACKGATE_RATE_LIMIT": "1000/second"}
    )
    yield live
    stop_live_server(live)


@pytest.fixture(scope="module")
def crew(server: LiveServer) -> tuple[Member, str, dict[str, Any]]:
    member = signed_up(server)
    connection_id, user = connect(server, member)
    return member, connection_id, user


def test_start_see_it_running_stop_and_the_week_shows_it(
    server: LiveServer, crew: tuple[Member, str, dict[str, Any]]
) -> None:
    member, connection_id, _ = crew
    make_project(server, member, "Apollo")
    week = f"/console/connections/{connection_id}/week"
    page = member.client.get(week)
    assert page.status_code == 200, page.text
    assert 'for="description">Description<' in page.text and 'for="project">Project<' in page.text
    assert ">Start</button>" in page.text and "No time tracked this week yet" in page.text

    started = member.post(
        f"{week}/start", csrf_of(page.text), description="Design review", project="apollo"
    )
    assert started.status_code == 303 and started.headers["location"] == week
    running = member.client.get(week).text
    assert "The timer is running." in running
    shown = re.search(r'data-testid="running">(.*?)</p>', running)
    assert shown and "Design review" in shown.group(1) and "Apollo" in shown.group(1)
    assert ">Stop</button>" in running and ">Start</button>" not in running

    stopped = member.post(f"{week}/stop", csrf_of(running))
    assert stopped.status_code == 303 and stopped.headers["location"] == week
    after = member.client.get(week).text
    assert "The timer is stopped." in after and ">Start</button>" in after
    assert "<svg" in after and 'role="img"' in after and "Apollo" in after
    total = re.search(r'<th scope="row">Apollo</th><td data-seconds="(\d+)">', after)
    assert total and 0 <= int(total.group(1)) < 600
    assert re.search(r'data-testid="week-total">0:0\d<', after)
    assert "Design review" in after  # the day's entry


def test_an_unknown_project_is_refused_in_words(
    server: LiveServer, crew: tuple[Member, str, dict[str, Any]]
) -> None:
    member, connection_id, _ = crew
    week = f"/console/connections/{connection_id}/week"
    answer = member.post(f"{week}/start", member.csrf(week), description="x", project="Nowhere")
    assert answer.status_code == 303
    page = member.client.get(week).text
    assert "There is no project named &#x27;Nowhere&#x27;." in page
    assert ">Start</button>" in page  # nothing started


def test_the_week_is_read_from_the_shield(
    server: LiveServer, crew: tuple[Member, str, dict[str, Any]]
) -> None:
    member, connection_id, _ = crew
    week = f"/console/connections/{connection_id}/week"
    member.client.get(week)  # fills the mirror
    metrics = httpx.get(f"{server.url}/metrics", timeout=30).text
    before = _upstream_calls(metrics)
    assert before > 0  # the mirror was filled from the upstream
    again = member.client.get(week)
    assert again.status_code == 200, again.text
    assert _upstream_calls(httpx.get(f"{server.url}/metrics", timeout=30).text) == before


def _upstream_calls(metrics: str) -> float:
    """Requests the gateway sent upstream, by its metrics (0 if it counts none)."""
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("trackgate_upstream_seconds_count"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_another_accounts_member_gets_404(
    server: LiveServer, crew: tuple[Member, str, dict[str, Any]]
) -> None:
    _, connection_id, _ = crew
    stranger = signed_up(server, "Others")
    week = f"/console/connections/{connection_id}/week"
    assert stranger.client.get(week).status_code == 404
    assert stranger.client.get("/console/connections/no-such-id/week").status_code == 404
    csrf = stranger.csrf()
    assert stranger.post(f"{week}/start", csrf, description="x", project="").status_code == 404
    assert stranger.post(f"{week}/stop", csrf).status_code == 404


def test_the_forms_need_their_csrf_token(
    server: LiveServer, crew: tuple[Member, str, dict[str, Any]]
) -> None:
    member, connection_id, _ = crew
    week = f"/console/connections/{connection_id}/week"
    refused = member.post(f"{week}/start", None, description="forged", project="")
    assert refused.status_code == 403
    assert member.post(f"{week}/start", "forged-token", description="forged").status_code == 403
    assert member.post(f"{week}/stop", None).status_code == 403
    assert "forged" not in member.client.get(week).text


def test_a_connection_not_yet_active_says_so(
    server: LiveServer, crew: tuple[Member, str, dict[str, Any]]
) -> None:
    member, _, _ = crew
    assert member.post("/console/connections", member.csrf()).status_code == 303
    listing = member.client.get("/console/connections").text
    pending = r'data-connection-id="([^"]+)"><td><code>[^<]*</code></td><td><span [^>]*PENDING'
    ids = re.findall(pending, listing)
    assert ids, listing
    week = f"/console/connections/{ids[0]}/week"
    page = member.client.get(week)
    assert page.status_code == 409
    assert "This connection is PENDING" in page.text and ">Start</button>" not in page.text
    started = member.post(f"{week}/start", member.csrf(), description="x", project="")
    assert started.status_code == 303 and started.headers["location"] == week
    assert member.client.get(week).status_code == 409
