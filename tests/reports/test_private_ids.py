"""No id oracles: a member naming a private project they cannot see, in a report's path or in
any report's ``project_ids``, gets exactly the answer a project id that does not exist gets,
even when they tracked time on it before they lost access."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.reports.helpers import Team, make_team
from tests.service.core_helpers import (
    API,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from trackgate.runtime import Runtime

WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}
REPORTS = [
    "search/time_entries",
    "search/time_entries/totals",
    "summary/time_entries",
    "weekly/time_entries",
    "projects/summary",
    "search/time_entries.csv",
    "summary/time_entries.csv",
    "weekly/time_entries.csv",
    "search/time_entries.pdf",
    "summary/time_entries.pdf",
    "weekly/time_entries.pdf",
]


@pytest.fixture
def ids(client: TestClient, runtime: Runtime) -> tuple[Team, dict[str, int]]:
    """``secret``: an admin's private project; ``gone``: a private one the member tracked on and
    was then taken off; ``open``: a public one; ``missing``: no project at all."""
    team = make_team(client, runtime)
    secret = team.project("Secret", is_private=True)["id"]
    gone = team.project("Gone", is_private=True)["id"]
    open_ = team.project("Open")["id"]
    users = f"{API}/workspaces/{team.workspace_id}/project_users"
    body = {"project_id": gone, "user_id": team.member.id}
    added = client.post(users, json=body, headers=team.admin.auth)
    assert added.status_code == 200, added.text
    for person, project, day in (
        (team.admin, secret, 9),
        (team.member, gone, 10),
        (team.member, open_, 11),
    ):
        team.entry(person, f"2024-12-{day:02d}T08:00:00Z", 1800, project_id=project, billable=True)
    removed = client.delete(f"{users}/{added.json()['id']}", headers=team.admin.auth)
    assert removed.status_code == 200, removed.text
    return team, {"secret": secret, "gone": gone, "open": open_, "missing": open_ + 1000}


def answer(r: Response) -> tuple[int, str, bytes]:
    """The whole answer; of a PDF, the text of its pages (its bytes carry the time it was
    made, and the first PDF a process makes differs in bytes from the next)."""
    content = r.content
    if r.headers["content-type"] == "application/pdf":
        document = pdfium.PdfDocument(content)
        pages = [page.get_textpage().get_text_range() for page in document]
        document.close()
        content = "\f".join(pages).encode()
    return r.status_code, r.headers["content-type"], content


@pytest.mark.parametrize("tail", REPORTS)
def test_a_hidden_project_filters_like_a_missing_one(
    ids: tuple[Team, dict[str, int]], tail: str
) -> None:
    team, known = ids

    def ask(person: Any, name: str) -> tuple[int, str, bytes]:
        return answer(team.report(person, tail, **WEEK, project_ids=[known[name]]))

    missing = ask(team.member, "missing")
    assert missing[0] == 200
    assert ask(team.member, "secret") == missing
    assert ask(team.member, "gone") == missing
    # the data is there to be found, for whom may see it
    assert ask(team.member, "open") != missing
    assert ask(team.admin, "secret") != ask(team.admin, "missing")


def test_a_hidden_projects_summary_is_a_missing_ones(ids: tuple[Team, dict[str, int]]) -> None:
    team, known = ids

    def ask(person: Any, name: str) -> tuple[int, str, bytes]:
        return answer(team.report(person, f"projects/{known[name]}/summary", **WEEK))

    missing = ask(team.member, "missing")
    assert missing[0] == 404
    assert ask(team.member, "secret") == missing
    assert ask(team.member, "gone") == missing
    assert ask(team.member, "open")[0] == 200
    assert ask(team.admin, "secret")[0] == 200
