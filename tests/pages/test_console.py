"""The web console in-process: sign-in and sessions, CSRF, keys, connections, operators."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pages.console_helpers import (
    PASSWORD,
    csrf_of,
    make_operator,
    make_team,
    post,
    sign_in,
)
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.gateway.connections import create_connection
from trackgate.pages.console.people import create_invite
from trackgate.runtime import Runtime, build_runtime
from trackgate.storage.models import ApiKey, Connection

PAGES = ["/console/keys", "/console/connections", "/console/admin"]
COOKIE = "trackgate_console"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def other_connection(runtime: Runtime, account_id: str, *, failed: str | None = None) -> str:
    with runtime.db.write() as session:
        connection = create_connection(session, account_id, "toggl-track")
        if failed:
            connection.status = "FAILED"
            connection.failure_reason = failed
        return connection.id


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_session(client: TestClient, path: str) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/signin"


@pytest.mark.parametrize(
    "path",
    ["/console/keys", "/console/connections", "/console/signout", "/console/keys/k/revoke"],
)
def test_every_post_needs_a_session(client: TestClient, path: str) -> None:
    answer = client.post(path, data={"csrf_token": "x"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/signin"


def test_pages_forbid_inline_code_framing_and_referrers(client: TestClient) -> None:
    page = client.get("/console/signin")
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<style" not in page.text and "<script>" not in page.text
    assert 'for="email">Email<' in page.text and 'for="password">Password<' in page.text
    assert ">Sign in</button>" in page.text
    assert client.get("/static/trackgate.css").headers["content-type"].startswith("text/css")
    assert "clipboard" in client.get("/static/copy.js").text


def test_signing_in_starts_a_new_session_with_a_strict_cookie(
    client: TestClient, runtime: Runtime
) -> None:
    make_team(runtime, "ann@example.com")
    client.cookies.set(
        COOKIE, "planted-by-someone-else", domain="testserver.local", path="/console"
    )
    form = client.get("/console/signin")
    answer = post(
        client,
        "/console/signin",
        csrf_of(form.text),
        email="ANN@example.com",
        password=PASSWORD,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/console/keys"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http here
    first = client.cookies.get(COOKIE)
    assert first and first != "planted-by-someone-else"
    sign_in(client, "ann@example.com")  # again: a new id, and the old one ends
    second = client.cookies.get(COOKIE)
    assert second != first
    stale = TestClient(client.app, cookies={COOKIE: first})
    assert stale.get("/console/keys", follow_redirects=False).status_code == 303


def test_the_cookie_is_secure_over_https(runtime: Runtime, app: Any) -> None:
    make_team(runtime, "sec@example.com")
    https = TestClient(app, base_url="https://testserver")
    form = https.get("/console/signin")
    answer = post(
        https, "/console/signin", csrf_of(form.text), email="sec@example.com", password=PASSWORD
    )
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def test_a_cookie_after_sign_out_is_refused(client: TestClient, runtime: Runtime) -> None:
    make_team(runtime, "bob@example.com")
    csrf = sign_in(client, "bob@example.com")
    stolen = client.cookies.get(COOKIE)
    answer = post(client, "/console/signout", csrf)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/signin"
    thief = TestClient(client.app, cookies={COOKIE: stolen})
    assert thief.get("/console/keys", follow_redirects=False).status_code == 303


def test_wrong_passwords_and_unknown_emails_are_refused_alike(
    client: TestClient, runtime: Runtime
) -> None:
    make_team(runtime, "cy@example.com")
    form = client.get("/console/signin")
    wrong = post(
        client, "/console/signin", csrf_of(form.text), email="cy@example.com", password="nope-nope"
    )
    unknown = post(
        client, "/console/signin", csrf_of(form.text), email="no@example.com", password="nope-nope"
    )
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert COOKIE not in client.cookies


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/console/keys", {"name": "x"}),
        ("/console/connections", {}),
        ("/console/signout", {}),
    ],
)
def test_forms_without_their_csrf_token_are_refused(
    client: TestClient, runtime: Runtime, path: str, fields: dict[str, str]
) -> None:
    team = make_team(runtime, f"csrf{len(path)}@example.com")
    sign_in(client, team.email)
    for token in (None, "123.abc"):
        answer = post(client, path, token, **fields)
        assert answer.status_code == 403, answer.text
    with runtime.db.read() as session:
        assert session.query(ApiKey).filter_by(account_id=team.account_id).count() == 1
        assert session.query(Connection).filter_by(account_id=team.account_id).count() == 0
    assert client.get("/console/keys", follow_redirects=False).status_code == 200


def test_sign_in_without_its_csrf_token_is_refused(client: TestClient, runtime: Runtime) -> None:
    make_team(runtime, "dee@example.com")
    client.get("/console/signin")
    answer = post(client, "/console/signin", None, email="dee@example.com", password=PASSWORD)
    assert answer.status_code == 403
    assert COOKIE not in client.cookies


def test_keys_are_made_shown_once_renamed_and_revoked(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime, "eve@example.com")
    csrf = sign_in(client, team.email)
    made = post(client, "/console/keys", csrf, name="agent")
    assert made.status_code == 303 and made.headers["location"] == "/console/keys"
    shown = client.get("/console/keys")
    key = re.search(r'data-testid="new-key">([^<]+)<', shown.text)
    assert key is not None
    api_key = key.group(1)
    assert f"export MATON_API_KEY={api_key}" in shown.text
    assert ">Copy</button>" in shown.text and 'src="/static/copy.js"' in shown.text
    assert "agent" in shown.text and api_key not in client.get("/console/keys").text  # once
    assert client.get("/connections", headers=bearer(api_key)).status_code == 200
    with runtime.db.read() as session:
        key_id = session.query(ApiKey).filter_by(name="agent").one().id
    renamed = post(client, f"/console/keys/{key_id}/rename", csrf, name="robot")
    assert renamed.status_code == 303
    assert "robot" in client.get("/console/keys").text
    revoked = post(client, f"/console/keys/{key_id}/revoke", csrf)
    assert revoked.status_code == 303 and revoked.headers["location"] == "/console/keys"
    assert client.get("/connections", headers=bearer(api_key)).status_code == 401


def test_another_accounts_ids_answer_404(client: TestClient, runtime: Runtime) -> None:
    mine = make_team(runtime, "fay@example.com")
    theirs = make_team(runtime, "gus@example.com", name="theirs")
    connection = other_connection(runtime, theirs.account_id)
    csrf = sign_in(client, mine.email)
    for path in (
        f"/console/keys/{theirs.key_id}/rename",
        f"/console/connections/{connection}/delete",
        "/console/keys/key_nonexistent/rename",
        "/console/admin",
    ):
        assert client.get(path, follow_redirects=False).status_code == 404, path
    for path in (
        f"/console/keys/{theirs.key_id}/rename",
        f"/console/keys/{theirs.key_id}/revoke",
        f"/console/connections/{connection}/reconnect",
        f"/console/connections/{connection}/delete",
        f"/console/admin/accounts/{theirs.account_id}/disable",
    ):
        assert post(client, path, csrf, name="x").status_code == 404, path
    assert post(client, "/console/account", csrf, account_id=theirs.account_id).status_code == 404
    assert client.get("/connections", headers=bearer(theirs.api_key)).status_code == 200
    with runtime.db.read() as session:
        assert session.get(Connection, connection) is not None


def test_connections_new_reconnect_delete_and_why_one_failed(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime, "hal@example.com")
    failed = other_connection(runtime, team.account_id, failed="Toggl Track did not accept it.")
    csrf = sign_in(client, team.email)
    listing = client.get("/console/connections").text
    assert "FAILED" in listing and "Toggl Track did not accept it." in listing
    assert ">New connection</button>" in listing and ">Reconnect</button>" in listing
    detail = client.get(f"/connections/{failed}", headers=bearer(team.api_key)).json()
    assert detail["connection"]["failure_reason"] == "Toggl Track did not accept it."
    made = post(client, "/console/connections", csrf)
    assert made.status_code == 303 and made.headers["location"] == "/console/connections"
    shown = client.get("/console/connections").text
    assert "PENDING" in shown
    assert re.search(r'<a id="connect-link" href="http://[^"]+/connect\?session_token=', shown)
    again = post(client, f"/console/connections/{failed}/reconnect", csrf)
    assert again.status_code == 303
    assert 'id="connect-link"' in client.get("/console/connections").text
    confirm = client.get(f"/console/connections/{failed}/delete")
    assert ">Delete</button>" in confirm.text
    gone = post(client, f"/console/connections/{failed}/delete", csrf)
    assert gone.status_code == 303 and gone.headers["location"] == "/console/connections"
    assert client.get(f"/connections/{failed}", headers=bearer(team.api_key)).status_code == 404


def test_operators_disable_and_enable_an_account(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime, "ida@example.com", name="acme")
    make_operator(runtime, "op@example.com")
    csrf = sign_in(client, "op@example.com")
    admin = client.get("/console/admin").text
    assert "acme" in admin and "Database" in admin and "Redis" in admin
    assert ">Disable</button>" in admin
    assert client.get("/connections", headers=bearer(team.api_key)).status_code == 200
    off = post(client, f"/console/admin/accounts/{team.account_id}/disable", csrf)
    assert off.status_code == 303 and off.headers["location"] == "/console/admin"
    assert client.get("/connections", headers=bearer(team.api_key)).status_code == 401
    assert ">Enable</button>" in client.get("/console/admin").text
    post(client, f"/console/admin/accounts/{team.account_id}/enable", csrf)
    assert client.get("/connections", headers=bearer(team.api_key)).status_code == 200
    unknown = post(client, "/console/admin/accounts/nope/disable", csrf)
    assert unknown.status_code == 404


def test_an_invitation_signs_up_once(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime, "jo@example.com", name="crew")
    with runtime.db.write() as session:
        invite = create_invite(session, "kim@example.com", team.account_id, "member")
    link = f"/console/signup?invite={invite.token}"
    form = client.get(link)
    assert "crew" in form.text and ">Sign up</button>" in form.text
    answer = post(
        client,
        "/console/signup",
        csrf_of(form.text),
        invite=invite.token,
        email="ignored@example.com",
        password="a fine password",
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/console/keys"
    assert "Keys of crew" in client.get("/console/keys").text
    fresh = TestClient(client.app)
    assert fresh.get(link).status_code == 404
    assert fresh.get("/console/signup").status_code == 404  # invite-only by default
    sign_in(fresh, "kim@example.com", "a fine password")


@pytest.fixture
def open_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(dataclasses.replace(settings, signup="open"))
    yield rt
    rt.close()


def test_open_sign_up_makes_an_account_owned_by_the_new_member(open_runtime: Runtime) -> None:
    client = TestClient(create_app(open_runtime))
    form = client.get("/console/signup")
    answer = post(
        client,
        "/console/signup",
        csrf_of(form.text),
        invite="",
        email="new@example.com",
        password="a fine password",
    )
    assert answer.status_code == 303
    assert "Keys of new@example.com" in client.get("/console/keys").text


@pytest.fixture
def strict_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(dataclasses.replace(settings, auth_failure_limit="3/minute"))
    yield rt
    rt.close()


def _attempt(client: TestClient, email: str, password: str) -> int:
    form = client.get("/console/signin")
    answer = post(client, "/console/signin", csrf_of(form.text), email=email, password=password)
    return int(answer.status_code)


def test_sign_in_guessing_is_limited_per_address_and_per_email(strict_runtime: Runtime) -> None:
    make_team(strict_runtime, "lea@example.com")
    make_team(strict_runtime, "max@example.com")
    app = create_app(strict_runtime)
    owner = TestClient(app, client=("10.0.0.1", 1000))
    assert _attempt(owner, "lea@example.com", PASSWORD) == 303  # remembered from here
    guesser = TestClient(app, client=("10.0.0.2", 1000))
    assert [_attempt(guesser, "max@example.com", "guess-" + str(i)) for i in range(4)] == [
        400,
        400,
        400,
        429,
    ]
    # the address is blocked, even for a right password of an email never used from it
    assert _attempt(guesser, "lea@example.com", PASSWORD) == 429
    # the email is blocked from every address that has not signed in with it lately...
    other = TestClient(app, client=("10.0.0.3", 1000))
    assert _attempt(other, "max@example.com", PASSWORD) == 429
    for i in range(3):
        _attempt(TestClient(app, client=(f"10.0.1.{i}", 1000)), "lea@example.com", "wrong!!!")
    assert _attempt(TestClient(app, client=("10.0.2.1", 1000)), "lea@example.com", PASSWORD) == 429
    # ... but its owner, at the address they signed in from, still gets in
    assert _attempt(owner, "lea@example.com", PASSWORD) == 303
