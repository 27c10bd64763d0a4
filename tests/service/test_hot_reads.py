"""The hot reads answered past FastAPI's routing answer exactly as the FastAPI routes do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Person
from trackgate.runtime import Runtime
from trackgate.service.app import create_service_app
from trackgate.service.hot_reads import HotReads

PATHS = [
    "/me",
    "/me?with_related_data=true",
    "/me?with_related_data=maybe",
    "/me/time_entries/current",
    "/me/time_entries",
    "/me/time_entries?meta=true&start_date=2020-01-01&end_date=2100-01-01",
    "/me/time_entries?since=0",
    "/me/time_entries?before=2100-01-01T00:00:00Z&start_date=2020-01-01",
    "/me/time_entries?start_date=2025-02-01&end_date=2025-01-01",
    "/me/time_entries?since=1&before=2",
    "/me/time_entries?start_date=yesterday",
]


def _service(runtime: Runtime, hot: bool) -> FastAPI:
    app = create_service_app(runtime)
    if not hot:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not HotReads]
    return app


@pytest.fixture
def both(runtime: Runtime) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(_service(runtime, True), raise_server_exceptions=False) as hot,
        TestClient(_service(runtime, False), raise_server_exceptions=False) as routed,
    ):
        yield hot, routed


def test_hot_reads_answer_as_the_routes_do(
    both: tuple[TestClient, TestClient], user: Person
) -> None:
    hot, routed = both
    for body in (
        {"created_with": "t", "start": "2025-01-10T09:00:00Z", "duration": 600, "tags": ["a"]},
        {"created_with": "t", "start": "2025-01-11T09:00:00Z", "duration": -1},
    ):
        made = routed.post(
            f"/workspaces/{user.workspace_id}/time_entries",
            json={"workspace_id": user.workspace_id, **body},
            headers=user.auth,
        )
        assert made.status_code == 200
    statuses = set()
    for path in PATHS:
        fast, slow = hot.get(path, headers=user.auth), routed.get(path, headers=user.auth)
        assert (fast.status_code, fast.content) == (slow.status_code, slow.content), path
        assert fast.headers["content-type"] == slow.headers["content-type"], path
        statuses.add(fast.status_code)
    assert statuses == {200, 400}
    assert hot.get("/me").status_code == routed.get("/me").status_code == 401
