"""Tags: one object per create and update (as the seed shows), Toggl's keys and stamps, the
name rules, paging, and deletion that takes the tag off time entries."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.catalog_helpers import PRECISE_STAMP, TAG_KEYS, make_tag, ws_url
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
)
from trackgate.runtime import Runtime
from trackgate.storage.models import WorkspaceMember


def names(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [t["name"] for t in r.json()]


def test_create_answers_one_tag_in_toggls_order(client: TestClient, user: Person) -> None:
    r = client.post(ws_url(user, "tags"), json={"name": "New Tag"}, headers=user.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body, dict) and list(body) == TAG_KEYS
    assert body["workspace_id"] == user.workspace_id and "wid" not in body
    assert body["name"] == "New Tag" and body["creator_id"] == user.id
    assert PRECISE_STAMP.match(body["at"])


def test_update_answers_one_tag_and_moves_at(client: TestClient, user: Person) -> None:
    made = make_tag(client, user, "old")
    r = client.put(ws_url(user, "tags", made["id"]), json={"name": "new"}, headers=user.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == TAG_KEYS and body["id"] == made["id"] and body["name"] == "new"
    assert body["at"] > made["at"]
    assert names(client.get(ws_url(user, "tags"), headers=user.auth)) == ["new"]


def test_blank_names_are_refused(client: TestClient, user: Person) -> None:
    made = make_tag(client, user, "fine")
    for payload in ({}, {"name": ""}, {"name": "   "}, {"name": None}):
        r = client.post(ws_url(user, "tags"), json=payload, headers=user.auth)
        assert_error(r, 400, "tag name can't be blank")
        r = client.put(ws_url(user, "tags", made["id"]), json=payload, headers=user.auth)
        assert_error(r, 400, "tag name can't be blank")


def test_long_names_and_wrong_types_are_400(client: TestClient, user: Person) -> None:
    assert make_tag(client, user, "é" * 127 + "x")["name"] == "é" * 127 + "x"
    for payload in ({"name": "é" * 128}, {"name": 7}, {"name": ["a"]}, {"name": "a\u0000b"}):
        assert_error(client.post(ws_url(user, "tags"), json=payload, headers=user.auth), 400)
    headers = {**user.auth, "Content-Type": "application/json"}
    assert_error(client.post(ws_url(user, "tags"), content=b"{oops", headers=headers), 400)


def test_duplicate_names_in_a_workspace_are_400(
    client: TestClient, user: Person, other_user: Person
) -> None:
    first = make_tag(client, user, "focus")
    assert_error(client.post(ws_url(user, "tags"), json={"name": "focus"}, headers=user.auth), 400)
    assert_error(
        client.post(ws_url(user, "tags"), json={"name": " focus "}, headers=user.auth), 400
    )
    second = make_tag(client, user, "deep")
    r = client.put(ws_url(user, "tags", second["id"]), json={"name": "focus"}, headers=user.auth)
    assert_error(r, 400)
    r = client.put(ws_url(user, "tags", first["id"]), json={"name": "focus"}, headers=user.auth)
    assert r.status_code == 200  # its own name
    assert make_tag(client, other_user, "focus")["name"] == "focus"  # another workspace
    client.delete(ws_url(user, "tags", first["id"]), headers=user.auth)
    assert make_tag(client, user, "focus")["id"] != first["id"]  # a deleted name is free


def test_list_by_name_with_optional_paging(client: TestClient, user: Person) -> None:
    for name in ("gamma", "Alpha", "beta"):
        make_tag(client, user, name)
    url = ws_url(user, "tags")
    listed = client.get(url, headers=user.auth).json()
    assert [t["name"] for t in listed] == ["Alpha", "beta", "gamma"]
    assert all(list(t) == TAG_KEYS for t in listed)
    assert names(client.get(url, params={"per_page": 2}, headers=user.auth)) == ["Alpha", "beta"]
    assert names(client.get(url, params={"per_page": 2, "page": 2}, headers=user.auth)) == ["gamma"]
    assert_error(client.get(url, params={"page": 0}, headers=user.auth), 400)


def test_unknown_tag_is_404_tag_was_not_found(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = make_tag(client, other_user, "theirs")
    for tag_id in (999_999_999, theirs["id"]):
        one = ws_url(user, "tags", tag_id)
        assert_error(
            client.put(one, json={"name": "x"}, headers=user.auth), 404, "Tag was not found"
        )
        assert_error(client.delete(one, headers=user.auth), 404, "Tag was not found")
    mine = make_tag(client, user, "mine")
    client.delete(ws_url(user, "tags", mine["id"]), headers=user.auth)
    r = client.delete(ws_url(user, "tags", mine["id"]), headers=user.auth)
    assert_error(r, 404, "Tag was not found")


def test_another_users_workspace_is_403(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = make_tag(client, other_user, "private")
    base = ws_url(other_user, "tags")
    assert_error(client.get(base, headers=user.auth), 403)
    assert_error(client.post(base, json={"name": "intruder"}, headers=user.auth), 403)
    assert_error(client.put(f"{base}/{theirs['id']}", json={"name": "x"}, headers=user.auth), 403)
    assert_error(client.delete(f"{base}/{theirs['id']}", headers=user.auth), 403)
    assert names(client.get(base, headers=other_user.auth)) == ["private"]


def test_delete_takes_the_tag_off_time_entries(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, tags=["keep", "drop"])
    other = create_entry(client, user, tags=["keep"], start="2024-12-15T01:00:00Z")
    drop = next(
        t for t in client.get(ws_url(user, "tags"), headers=user.auth).json() if t["name"] == "drop"
    )
    keep_id = next(i for i, n in zip(entry["tag_ids"], entry["tags"], strict=True) if n == "keep")
    r = client.delete(ws_url(user, "tags", drop["id"]), headers=user.auth)
    assert r.status_code == 200 and r.content == b""
    after = client.get(f"{API}/me/time_entries/{entry['id']}", headers=user.auth).json()
    assert after["tag_ids"] == [keep_id] and after["tags"] == ["keep"]
    assert after["at"] > entry["at"]
    untouched = client.get(f"{API}/me/time_entries/{other['id']}", headers=user.auth).json()
    assert untouched["at"] == other["at"]
    assert names(client.get(ws_url(user, "tags"), headers=user.auth)) == ["keep"]


def test_delete_leaves_entries_with_a_similar_tag_id_alone(
    client: TestClient, user: Person
) -> None:
    """The text prefilter must not catch tag 1 inside tag 11's id (or 12, 21, ...)."""
    made = [make_tag(client, user, f"t{i}") for i in range(12)]
    short = min(made, key=lambda t: t["id"])
    longer = [t for t in made if str(short["id"]) in str(t["id"]) and t["id"] != short["id"]]
    target = longer[0] if longer else made[-1]
    entry = create_entry(client, user, tag_ids=[target["id"]])
    client.delete(ws_url(user, "tags", short["id"]), headers=user.auth)
    after = client.get(f"{API}/me/time_entries/{entry['id']}", headers=user.auth).json()
    assert after["tag_ids"] == [target["id"]] and after["at"] == entry["at"]


def test_only_admins_may_create_tags_when_the_workspace_says_so(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    client.put(ws_url(user), json={"only_admins_may_create_tags": True}, headers=user.auth)
    r = client.post(ws_url(user, "tags"), json={"name": "member's"}, headers=other_user.auth)
    assert_error(r, 403)
    assert make_tag(client, user, "admin's")["name"] == "admin's"
