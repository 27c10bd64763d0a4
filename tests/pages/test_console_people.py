"""The console's people page over a real socket: inviting from the console (the link signs
someone up once), who may invite, and "Sign out everywhere" -- by a person for their own
sessions and by an operator for anyone's -- ending sessions held in other browsers."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.pages.console_helpers import csrf_of
from tests.pages.console_live import (
    PASSWORD,
    is_signed_in,
    signed_in,
    signed_up,
    unique,
)

pytestmark = [pytest.mark.socket]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path_factory.mktemp("console-people"))
    yield live
    stop_live_server(live)


def test_an_owner_invites_and_the_link_signs_up_once(server: LiveServer) -> None:
    owner = signed_up(server, "Studio", role="owner")
    page = owner.client.get("/console/people")
    assert page.status_code == 200 and owner.email in page.text
    assert 'for="invite-email">Email<' in page.text and ">Invite</button>" in page.text
    newcomer = unique("new")
    sent = owner.post("/console/people/invite", csrf_of(page.text), email=newcomer, role="admin")
    assert sent.status_code == 303 and sent.headers["location"] == "/console/people"
    shown = owner.client.get("/console/people").text
    found = re.search(r'data-testid="invite-link">([^<]+)<', shown)
    assert found, shown
    url = unescape(found.group(1))
    assert url.startswith(server.url + "/console/signup?invite=")
    assert "invite-link" not in owner.client.get("/console/people").text  # shown once

    browser = httpx.Client(base_url=server.url, timeout=30)
    form = browser.get(url)
    assert form.status_code == 200 and "Studio" in form.text
    token = url.partition("invite=")[2]
    fields = {"csrf_token": csrf_of(form.text), "invite": token, "password": PASSWORD}
    done = browser.post("/console/signup", data={**fields, "email": "ignored@example.com"})
    assert done.status_code == 303 and done.headers["location"] == "/console/keys"
    people = browser.get("/console/people").text
    assert f"<td>{newcomer}</td><td>admin</td>" in people
    assert httpx.get(url, timeout=30).status_code == 404  # used


def test_who_may_invite_and_bad_input(server: LiveServer) -> None:
    member = signed_up(server, "Plain", role="member")
    page = member.client.get("/console/people").text
    assert ">Invite</button>" not in page and "Sign out everywhere" in page
    refused = member.post("/console/people/invite", csrf_of(page), email=unique("x"), role="member")
    assert refused.status_code == 404

    admin = signed_up(server, "Ranked", role="admin")
    csrf = admin.csrf("/console/people")
    owner = admin.post("/console/people/invite", csrf, email=unique("x"), role="owner")
    assert owner.status_code == 303
    assert "Choose a role among admin, member." in admin.client.get("/console/people").text
    admin.post("/console/people/invite", csrf, email="not-an-address", role="member")
    assert "Give an email address" in admin.client.get("/console/people").text
    forged = admin.post("/console/people/invite", None, email=unique("x"), role="member")
    assert forged.status_code == 403


def test_sign_out_everywhere_ends_the_other_browsers_session(server: LiveServer) -> None:
    person = signed_up(server, "Roaming")
    laptop = signed_in(server, person.email)
    assert is_signed_in(person.client) and is_signed_in(laptop)
    assert person.post("/console/signout-everywhere", None).status_code == 403
    assert is_signed_in(laptop)
    done = person.post("/console/signout-everywhere", person.csrf("/console/people"))
    assert done.status_code == 303 and done.headers["location"] == "/console/signin"
    assert not is_signed_in(laptop)
    assert not is_signed_in(person.client)
    assert is_signed_in(signed_in(server, person.email))  # signing in again still works


def test_an_operator_signs_a_person_out_everywhere(server: LiveServer) -> None:
    operator_email = unique("op")
    made = subprocess.run(
        [sys.executable, "-m", "trackgate", "operators", "create", "--email", operator_email,
         "--password-stdin"],
        env=server.env, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    operator = signed_in(server, operator_email)
    person = signed_up(server, "Watched")
    phone = signed_in(server, person.email)

    bystander = signed_up(server, "Bystander")
    admin_page = operator.get("/console/admin").text
    row = re.search(
        rf'data-member-id="([^"]+)"><td>{re.escape(person.email)}</td><td></td><td>(\d+)</td>',
        admin_page,
    )
    assert row and int(row.group(2)) == 2, admin_page
    member_id = row.group(1)
    path = f"/console/admin/people/{member_id}/signout"
    assert bystander.post(path, bystander.csrf()).status_code == 404  # not an operator
    assert operator.post(path, data={}).status_code == 403
    assert is_signed_in(phone)

    done = operator.post(path, data={"csrf_token": csrf_of(admin_page)})
    assert done.status_code == 303 and done.headers["location"] == "/console/admin"
    assert f"{person.email} is signed out everywhere." in operator.get("/console/admin").text
    assert not is_signed_in(phone) and not is_signed_in(person.client)
    assert is_signed_in(operator) and is_signed_in(bystander.client)
    unknown = operator.post(
        "/console/admin/people/no-such-person/signout", data={"csrf_token": csrf_of(admin_page)}
    )
    assert unknown.status_code == 404
