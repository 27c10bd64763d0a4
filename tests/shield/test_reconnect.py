"""A reconnect keeps the mirror when the new credential is the same Toggl user (checked by the
id of ``/me`` at the first read after it, before anything is answered) and drops it for
another user."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tests.conftest import basic, make_user
from tests.shield.conftest import Shielded, today_range
from trackgate.gateway.connections import Verified, activate
from trackgate.service.users import reset_token
from trackgate.storage.models import Connection, User

CACHE = "x-trackgate-cache"


def reconnect(gw: Shielded, api_token: str) -> None:
    """The connection re-authorised with ``api_token``, as the connect page does it."""
    with gw.runtime.db.write() as session:
        connection = session.get(Connection, gw.connection_id)
        assert connection is not None
        activate(session, gw.runtime.keyring, connection, Verified("API_KEY", api_token, {}))
    gw.client.app.state.gateway.credentials.pop(gw.connection_id)


def user_bucket_left(gw: Shielded) -> int:
    quota = gw.client.get("/api/v9/me/quota", headers=gw.user.auth).json()
    left: int = quota[0]["remaining"]
    assert quota[0]["organization_id"] is None
    return left


def test_a_reconnect_to_the_same_user_keeps_the_mirror(shielded: Callable[..., Shielded]) -> None:
    gw = shielded(emulate_quota="30")
    entry = gw.start("kept across the reconnect", minutes_ago=5)
    entries = f"/me/time_entries?{today_range()}"
    for path in (entries, "/me/projects", "/me/tags"):
        assert gw.get(path).status_code == 200
    with gw.runtime.db.write() as session:
        user = session.get(User, gw.user.id)
        assert user is not None
        token = reset_token(session, gw.runtime.keyring, user)  # a new API token
    gw.user = dataclasses.replace(gw.user, token=token)
    left = user_bucket_left(gw)
    reconnect(gw, token)
    # the first read checks the user (one request), then answers from the mirror kept
    listed = gw.get(entries)
    assert listed.headers[CACHE] == "miss"
    assert [e["id"] for e in listed.json()] == [entry["id"]]
    assert user_bucket_left(gw) == left - 1  # no fill of the entries again
    for path in (entries, "/me/projects", "/me/tags", "/me"):
        assert gw.get(path).headers[CACHE] == "hit", path
    assert user_bucket_left(gw) == left - 1


def test_a_reconnect_to_another_user_never_answers_from_the_old_mirror(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(emulate_quota="30")
    gw.start("the first user's timer")
    assert gw.get("/me/time_entries/current").json()["description"] == "the first user's timer"
    assert gw.get("/me/tags").status_code == 200
    other = make_user(gw.runtime, fullname="Someone Else")
    reconnect(gw, other.token)
    current = gw.get("/me/time_entries/current")
    assert current.headers[CACHE] == "miss" and current.json() is None
    tags = gw.get("/me/tags")
    direct = gw.client.get("/api/v9/me/tags", headers=basic(other.token, "api_token"))
    assert tags.json() == direct.json()
    assert gw.get("/me").json()["id"] == other.id


def test_no_answer_from_an_unchecked_mirror_when_the_check_cannot_be_made(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(emulate_quota="30,7")
    gw.start("the first user's timer")
    assert gw.get("/me/time_entries/current").headers[CACHE] == "miss"  # 2 of the 7
    other = make_user(gw.runtime, fullname="Someone Else")
    reconnect(gw, other.token)
    for _ in range(2):  # the new user's own bucket: 7, less 2 of other clients' reads
        assert gw.client.get("/api/v9/me", headers=other.auth).status_code == 200
    assert gw.get("/me/workspaces", **{"Cache-Control": "no-cache"}).status_code == 200
    # 4 left: the check may not spend them; the read passes through rather than answer stale
    current = gw.get("/me/time_entries/current")
    assert current.headers[CACHE] == "bypass" and current.json() is None
