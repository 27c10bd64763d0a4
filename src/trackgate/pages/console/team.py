"""``/console/people``: who belongs to the account shown, inviting someone to it, and
signing out everywhere.

An invitation is made by the function ``trackgate console invite`` calls; the one-time link
is shown once to the inviter to copy. Owners invite in any role, admins as admin or member,
operators anywhere; members only see the list. "Sign out everywhere" ends every server-side
session of the person at once (this browser's too); an operator may do it for anyone, from
the admin page.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.responses import Response

from trackgate.pages.console import team_html
from trackgate.pages.console.common import (
    COOKIE_PATH,
    SESSION_COOKIE,
    SIGNIN,
    Refusal,
    Viewer,
    flash_to,
    flashed_page,
    member_post,
    member_route,
    need_viewer,
    not_found,
    or_404,
    runtime_of,
    see_other,
    take_flash,
)
from trackgate.pages.console.people import (
    ROLES,
    create_invite,
    end_every_session,
    invite_path,
    normalise_email,
)
from trackgate.storage.models import ConsoleMember, ConsoleMembership, ConsoleSession

log = logging.getLogger("trackgate.console")

router = APIRouter(include_in_schema=False)

PEOPLE = "/console/people"
ADMIN = "/console/admin"


def grantable(who: Viewer, role: str | None) -> tuple[str, ...]:
    """The roles this viewer may invite into the account shown (none: may not invite)."""
    if who.operator or role == "owner":
        return ROLES
    if role == "admin":
        return ("admin", "member")
    return ()


def _role(request: Request, who: Viewer) -> str | None:
    if who.account_id is None:
        return None
    with runtime_of(request).db.read() as session:
        found = session.get(ConsoleMembership, (who.member_id, who.account_id))
        return found.role if found is not None else None


@member_route(router, "/people")
def people_page(request: Request, who: Viewer) -> Response:
    runtime = runtime_of(request)
    people: list[tuple[str, str]] = []
    if who.account_id is not None:
        with runtime.db.read() as session:
            rows = session.execute(
                select(ConsoleMember.email, ConsoleMembership.role)
                .join(ConsoleMembership, ConsoleMembership.member_id == ConsoleMember.id)
                .where(ConsoleMembership.account_id == who.account_id)
                .order_by(ConsoleMember.email)
            )
            people = [(r.email, r.role) for r in rows]
    flash = take_flash(request, who)
    return flashed_page(
        request,
        team_html.people_page(
            who.frame(runtime, "people"),
            people,
            grantable(who, _role(request, who)),
            invite_url=flash.get("invite_url"),
            message=flash.get("message"),
            error=flash.get("error"),
        ),
    )


@member_post(router, "/people/invite", ("email", "role"))
def invite(request: Request, who: Viewer, fields: dict[str, str]) -> Response:
    if who.account_id is None:
        return not_found()
    roles = grantable(who, _role(request, who))
    if not roles:
        return not_found()
    try:
        email = normalise_email(fields["email"])
    except ValueError:
        return flash_to(
            request, who, PEOPLE, error="Give an email address such as someone@example.com."
        )
    role = fields["role"] or "member"
    if role not in roles:
        return flash_to(request, who, PEOPLE, error=f"Choose a role among {', '.join(roles)}.")
    runtime = runtime_of(request)
    with runtime.db.write() as session:
        issued = create_invite(session, email, who.account_id, role)
    url = runtime.settings.root_url.rstrip("/") + invite_path(issued.token)
    log.info("console: %s invited someone to account %s as %s", who.member_id, who.account_id, role)
    return flash_to(
        request,
        who,
        PEOPLE,
        message=f"Send this link to {issued.email}: it signs them up once, within 7 days.",
        invite_url=url,
    )


@member_post(router, "/signout-everywhere")
def signout_everywhere(request: Request, who: Viewer, fields: dict[str, str]) -> Response:
    with runtime_of(request).db.write() as session:
        end_every_session(session, who.member_id)
    response = see_other(SIGNIN)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


def _operator(request: Request) -> Viewer:
    who = need_viewer(request)
    if not who.operator:
        raise Refusal(not_found())
    return who


def everyone(request: Request) -> list[team_html.Person]:
    """Every person of the instance with how many sessions they have open, for operators."""
    with runtime_of(request).db.read() as session:
        open_sessions = dict(
            session.execute(
                select(ConsoleSession.member_id, func.count()).group_by(ConsoleSession.member_id)
            ).all()
        )
        members = session.scalars(select(ConsoleMember).order_by(ConsoleMember.email))
        return [
            team_html.Person(m.id, m.email, m.operator, int(open_sessions.get(m.id, 0)))
            for m in members
        ]


@member_post(router, "/admin/people/{member_id}/signout", gate=_operator)
def sign_someone_out(
    request: Request, who: Viewer, fields: dict[str, str], member_id: str
) -> Response:
    with runtime_of(request).db.write() as session:
        member = or_404(session.get(ConsoleMember, member_id))
        email = member.email
        end_every_session(session, member.id)
    log.info("console: operator %s signed %s out everywhere", who.member_id, member_id)
    if member_id == who.member_id:
        response = see_other(SIGNIN)
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        return response
    return flash_to(request, who, ADMIN, message=f"{email} is signed out everywhere.")
