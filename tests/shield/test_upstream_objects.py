"""Mirror answers are the upstream's own objects (unknown keys, order and spelling kept), and a
connection re-authorised for another account starts from an empty mirror."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from aiohttp import web

from tests.conftest import make_user
from tests.proxy.conftest import Remote
from tests.proxy.helpers import FakeUpstream
from tests.shield.conftest import Shielded
from trackgate.gateway.connections import Verified, activate
from trackgate.storage.models import Connection

CACHE = "x-trackgate-cache"
TAGS = (
    '[ {"id": 1, "workspace_id": 1, "name": "x", "future_field": {"deep": [1, 2.50]},'
    ' "at": "2024-12-15T20:17:59.767861Z"} ,{"name":"\\u00e9t\\u00e9","id":2,"workspace_id":1} ]'
)


class TogglWithNewFields(FakeUpstream):
    """Answers as a future Toggl might: fields this project does not know, its own spacing."""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/api/v9/me/tags":
            return web.Response(text=TAGS, content_type="application/json")
        return await super()._handle(request)


@pytest.fixture
def newer() -> Iterator[TogglWithNewFields]:
    fake = TogglWithNewFields()
    fake.start()
    yield fake
    fake.stop()


def test_mirror_answers_repeat_the_upstreams_objects_as_written(
    remote_gateway: Callable[..., Remote], newer: TogglWithNewFields
) -> None:
    gw = remote_gateway(newer.url, rate_limit="1000/second")
    first = gw.client.get("/toggl-track/api/v9/me/tags", headers=gw.headers)
    assert first.headers[CACHE] == "miss"
    second = gw.client.get("/toggl-track/api/v9/me/tags", headers=gw.headers)
    assert second.headers[CACHE] == "hit"
    expected = (
        '[{"id": 1, "workspace_id": 1, "name": "x", "future_field": {"deep": [1, 2.50]},'
        ' "at": "2024-12-15T20:17:59.767861Z"},{"name":"\\u00e9t\\u00e9","id":2,"workspace_id":1}]'
    )
    assert first.text == second.text == expected
    assert list(second.json()[1]) == ["name", "id", "workspace_id"]
    mine = gw.client.get("/toggl-track/api/v9/workspaces/1/tags", headers=gw.headers)
    assert mine.status_code == 404  # the fake has no workspaces: not the mirror's to answer


def test_a_connection_reauthorised_for_another_account_drops_its_mirror(gw: Shielded) -> None:
    assert gw.get("/me").json()["id"] == gw.user.id
    assert gw.get("/me").headers[CACHE] == "hit"
    other = make_user(gw.runtime, fullname="Someone Else")
    with gw.runtime.db.write() as session:
        connection = session.get(Connection, gw.connection_id)
        assert connection is not None
        activate(session, gw.runtime.keyring, connection, Verified("API_KEY", other.token, {}))
    gw.client.app.state.gateway.credentials.pop(gw.connection_id)  # as the connect page does
    again = gw.get("/me")
    assert again.headers[CACHE] == "miss" and again.json()["id"] == other.id


def test_a_kind_the_upstream_cannot_fill_is_not_asked_for_on_every_read(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
) -> None:
    gw = remote_gateway(upstream.url, rate_limit="1000/second")
    for _ in range(3):
        answer = gw.client.get("/toggl-track/api/v9/me/time_entries/current", headers=gw.headers)
        assert answer.status_code == 404 and answer.headers[CACHE] == "bypass"
    paths = upstream.paths()
    assert paths[0].startswith("/api/v9/me/time_entries?start_date=")  # the one try to fill
    assert paths[1:] == ["/api/v9/me/time_entries/current"] * 3
