"""``/me``: Toggl's keys in Toggl's order, related data, partial updates, token reset."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, basic
from tests.service.core_helpers import (
    API,
    JSON_TYPE,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
    instant,
)
from trackgate.runtime import Runtime
from trackgate.service.errors import BadRequest
from trackgate.service.users import NewUser, create_user

ME_KEYS = [
    "id",
    "api_token",
    "email",
    "fullname",
    "timezone",
    "toggl_accounts_id",
    "default_workspace_id",
    "beginning_of_week",
    "image_url",
    "created_at",
    "updated_at",
    "openid_email",
    "openid_enabled",
    "country_id",
    "has_password",
    "at",
    "intercom_hash",
    "oauth_providers",
    "authorization_updated_at",
]
PRECISE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


def test_me_has_every_key_in_toggl_order(client: TestClient, user: Person) -> None:
    r = client.get(f"{API}/me", headers=user.auth)
    assert r.status_code == 200
    assert r.headers["content-type"] == JSON_TYPE
    me = r.json()
    assert list(me) == ME_KEYS
    assert me["id"] == user.id and me["email"] == user.email
    assert me["api_token"] == user.token and re.fullmatch(r"[0-9a-f]{32}", user.token)
    assert me["fullname"] == "Jane Doe"
    assert len(me["toggl_accounts_id"]) == 22
    assert me["default_workspace_id"] == user.workspace_id
    assert me["has_password"] is True
    assert me["oauth_providers"] == []
    # a string as Toggl sends it ("omitted if empty", never null): strict clients parse it
    assert re.fullmatch(r"[0-9a-f]{64}", me["intercom_hash"])
    assert 0 <= me["beginning_of_week"] <= 6
    for key in ("created_at", "updated_at", "at", "authorization_updated_at"):
        assert PRECISE.match(me[key]), me[key]


def test_related_data_adds_the_lists_in_the_recorded_order(
    client: TestClient, user: Person
) -> None:
    entry = create_entry(client, user, tags=["focus"])
    plain = client.get(f"{API}/me", headers=user.auth).json()
    r = client.get(f"{API}/me", params={"with_related_data": "true"}, headers=user.auth)
    assert r.status_code == 200
    body = r.json()
    related = ["tags", "clients", "time_entries", "projects", "workspaces"]
    expected = ME_KEYS[:-1] + related + ME_KEYS[-1:]  # before authorization_updated_at
    assert list(body) == expected
    assert all(key not in plain for key in related)
    assert [e["id"] for e in body["time_entries"]] == [entry["id"]]
    assert [t["name"] for t in body["tags"]] == ["focus"]
    assert [w["id"] for w in body["workspaces"]] == [user.workspace_id]
    assert body["clients"] == [] and body["projects"] == []


def test_related_projects_are_by_id_with_archived_ones(client: TestClient, user: Person) -> None:
    first = client.post(
        f"{API}/workspaces/{user.workspace_id}/projects", json={"name": "Zeta"}, headers=user.auth
    ).json()
    second = client.post(
        f"{API}/workspaces/{user.workspace_id}/projects",
        json={"name": "Alpha", "active": False},
        headers=user.auth,
    ).json()
    body = client.get(f"{API}/me?with_related_data=true", headers=user.auth).json()
    assert [p["id"] for p in body["projects"]] == [first["id"], second["id"]]


def test_related_data_false_adds_nothing(client: TestClient, user: Person) -> None:
    r = client.get(f"{API}/me", params={"with_related_data": "false"}, headers=user.auth)
    assert list(r.json()) == ME_KEYS


def test_put_me_changes_only_what_was_sent(client: TestClient, user: Person) -> None:
    before = client.get(f"{API}/me", headers=user.auth).json()
    r = client.put(
        f"{API}/me", json={"timezone": "Europe/Berlin", "beginning_of_week": 0}, headers=user.auth
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert list(after) == ME_KEYS
    assert after["timezone"] == "Europe/Berlin" and after["beginning_of_week"] == 0
    assert after["fullname"] == before["fullname"] and after["email"] == before["email"]
    assert instant(after["updated_at"]) >= instant(before["updated_at"])
    again = client.get(f"{API}/me", headers=user.auth).json()
    assert again["timezone"] == "Europe/Berlin" and again["beginning_of_week"] == 0
    r = client.put(f"{API}/me", json={"fullname": "  Jane Q. Doe "}, headers=user.auth)
    assert r.json()["fullname"] == "Jane Q. Doe" and r.json()["timezone"] == "Europe/Berlin"


def test_put_me_rejects_bad_values(client: TestClient, user: Person) -> None:
    url = f"{API}/me"
    assert_error(client.put(url, json={"timezone": "Mars/Olympus"}, headers=user.auth), 400)
    assert_error(client.put(url, json={"timezone": "x" * 500}, headers=user.auth), 400)
    assert_error(client.put(url, json={"beginning_of_week": 7}, headers=user.auth), 400)
    assert_error(client.put(url, json={"fullname": ""}, headers=user.auth), 400)
    assert_error(client.put(url, json={"fullname": "x" * 256}, headers=user.auth), 400)
    assert_error(client.put(url, json={"country_id": 10**20}, headers=user.auth), 400)
    assert_error(client.put(url, json={"default_workspace_id": 10**30}, headers=user.auth), 400)
    assert_error(client.put(url, json=["timezone"], headers=user.auth), 400)
    assert client.get(url, headers=user.auth).json()["timezone"] == "UTC"


def test_default_workspace_must_be_the_users(
    client: TestClient, user: Person, other_user: Person
) -> None:
    r = client.put(
        f"{API}/me", json={"default_workspace_id": other_user.workspace_id}, headers=user.auth
    )
    assert_error(r, 400)


def test_email_change_needs_the_current_password(client: TestClient, user: Person) -> None:
    new_email = "renamed-" + user.email
    for body in (
        {"email": new_email},
        {"email": new_email, "current_password": "wrong"},
    ):
        r = client.put(f"{API}/me", json=body, headers=user.auth)
        assert r.status_code in (400, 403), r.text
        assert_error(r, r.status_code)
    assert client.get(f"{API}/me", headers=user.auth).json()["email"] == user.email
    r = client.put(
        f"{API}/me",
        json={"email": new_email.upper(), "current_password": user.password},
        headers=user.auth,
    )
    assert r.status_code == 200 and r.json()["email"] == new_email
    assert client.get(f"{API}/me", headers=basic(new_email, user.password)).status_code == 200
    assert client.get(f"{API}/me", headers=basic(user.email, user.password)).status_code == 403


def test_email_change_to_a_taken_address_is_refused(
    client: TestClient, user: Person, other_user: Person
) -> None:
    r = client.put(
        f"{API}/me",
        json={"email": other_user.email, "current_password": user.password},
        headers=user.auth,
    )
    assert_error(r, 400)


def test_password_change_needs_the_current_password(client: TestClient, user: Person) -> None:
    r = client.put(f"{API}/me", json={"password": "new secret 123"}, headers=user.auth)
    assert r.status_code in (400, 403)
    assert client.get(f"{API}/me", headers=basic(user.email, "new secret 123")).status_code == 403
    r = client.put(
        f"{API}/me",
        json={"password": "short", "current_password": user.password},
        headers=user.auth,
    )
    assert_error(r, 400)
    assert client.get(f"{API}/me", headers=basic(user.email, user.password)).status_code == 200


def test_no_secret_in_update_errors(client: TestClient, user: Person) -> None:
    r = client.put(
        f"{API}/me",
        json={"password": "x", "current_password": "definitely-wrong-guess"},
        headers=user.auth,
    )
    assert "definitely-wrong-guess" not in r.text and user.token not in r.text


def test_reset_token_issues_a_new_one_and_retires_the_old(client: TestClient, user: Person) -> None:
    r = client.post(f"{API}/me/reset_token", headers=user.auth)
    assert r.status_code == 200
    assert r.headers["content-type"] == JSON_TYPE
    new_token = r.json()
    assert isinstance(new_token, str) and re.fullmatch(r"[0-9a-f]{32}", new_token)
    assert new_token != user.token
    assert_error(client.get(f"{API}/me", headers=user.auth), 403)
    me = client.get(f"{API}/me", headers=basic(new_token, "api_token"))
    assert me.status_code == 200 and me.json()["api_token"] == new_token
    # email and password keep working
    assert client.get(f"{API}/me", headers=basic(user.email, user.password)).status_code == 200


def test_me_shows_only_the_callers_data(
    client: TestClient, user: Person, other_user: Person
) -> None:
    create_entry(client, other_user, description="not yours")
    body = client.get(f"{API}/me?with_related_data=true", headers=user.auth).json()
    assert body["id"] == user.id and body["time_entries"] == []
    assert other_user.token not in client.get(f"{API}/me", headers=user.auth).text


@pytest.mark.parametrize(
    "email",
    [
        "no-at-sign",
        "a@b@example.com",
        "a b@example.com",
        "@example.com",
        "a@example",
        "a@.",
        "a\x01@x.io",
    ],
)
def test_email_change_to_a_malformed_address_is_refused(
    client: TestClient, user: Person, email: str
) -> None:
    r = client.put(
        f"{API}/me", json={"email": email, "current_password": user.password}, headers=user.auth
    )
    assert_error(r, 400)
    assert client.get(f"{API}/me", headers=user.auth).json()["email"] == user.email


@pytest.mark.parametrize("fullname", ["", "   ", "x" * 256, "é" * 128, "tab\there", "a\x00b"])
def test_bad_full_names_are_refused(client: TestClient, user: Person, fullname: str) -> None:
    assert_error(client.put(f"{API}/me", json={"fullname": fullname}, headers=user.auth), 400)


def test_users_made_outside_http_are_checked_too(runtime: Runtime) -> None:
    for spec in (
        NewUser("two@@example.com", "secret123"),
        NewUser("ok@example.com", "secret123", fullname="x" * 300),
        NewUser("ok@example.com", "short"),
        NewUser("ok@example.com", "secret123", timezone="Nowhere/Town"),
    ):
        with pytest.raises(BadRequest), runtime.db.write() as session:
            create_user(session, runtime.keyring, spec)
