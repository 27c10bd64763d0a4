"""Signing in, up and out, and choosing the account a session works on.

The forms shown before sign-in bind their CSRF token to a random form cookie (there is no
session yet); a sign-in or sign-up always starts a new session, never the one the browser
came with. Failed sign-ins are counted per client and per email and slowed down.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from trackgate.crypto import digest
from trackgate.gateway import csrf
from trackgate.netaddr import client_address
from trackgate.pages.console import html
from trackgate.pages.console.common import (
    COOKIE_PATH,
    FORM_COOKIE,
    FORM_LIFETIME,
    HOME,
    SESSION_COOKIE,
    SIGNIN,
    Viewer,
    member_post,
    not_found,
    page,
    post_route,
    runtime_of,
    see_other,
    set_cookie,
    viewer,
)
from trackgate.pages.console.people import (
    SESSION_ABSOLUTE,
    SignUpRefused,
    accept_invite,
    check_sign_in,
    end_session,
    normalise_email,
    open_sign_up,
    places,
    start_session,
    usable_invite,
)
from trackgate.runtime import Runtime
from trackgate.storage.models import Account, ConsoleSession

log = logging.getLogger("trackgate.console")

router = APIRouter(include_in_schema=False)


def _form_token(request: Request, runtime: Runtime) -> tuple[str, str | None]:
    """The CSRF token for a form shown before sign-in, and a new form cookie if one is due."""
    cookie = request.cookies.get(FORM_COOKIE)
    fresh = None
    if not cookie or len(cookie) > 100:
        cookie = fresh = secrets.token_urlsafe(24)
    token = csrf.make_token(
        runtime.keyring, "console-form:" + digest(cookie), FORM_LIFETIME.total_seconds()
    )
    return token, fresh


def _form_csrf_ok(request: Request, fields: dict[str, str]) -> bool:
    cookie = request.cookies.get(FORM_COOKIE)
    if not cookie or len(cookie) > 100:
        return False
    return csrf.verify_token(
        runtime_of(request).keyring, "console-form:" + digest(cookie), fields.get("csrf_token")
    )


def _anonymous_page(request: Request, render: Callable[[str], str], status: int = 200) -> Response:
    runtime = runtime_of(request)
    token, fresh = _form_token(request, runtime)
    response = page(render(token), status)
    if fresh:
        set_cookie(
            response, request, runtime, FORM_COOKIE, fresh, int(FORM_LIFETIME.total_seconds())
        )
    return response


def _signed_in(request: Request, member_id: str, account_id: str | None) -> Response:
    """A new session (never the one the browser came with) and its cookie."""
    runtime = runtime_of(request)
    with runtime.db.write() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
        token = start_session(session, member_id, account_id)
        operator_only = account_id is None
    response = see_other("/console/admin" if operator_only else HOME)
    set_cookie(
        response,
        request,
        runtime,
        SESSION_COOKIE,
        token,
        int(SESSION_ABSOLUTE.total_seconds()),
    )
    response.delete_cookie(FORM_COOKIE, path=COOKIE_PATH)
    return response


@router.get("")
@router.get("/")
def console_root(request: Request) -> Response:
    return see_other(HOME if viewer(request) else SIGNIN)


@router.get("/signin")
def signin_form(request: Request) -> Response:
    """The form, also to someone signed in (signing in again ends their session)."""
    return _anonymous_page(request, html.signin_page)


def _email_key(email: str) -> str:
    return "console-email/" + digest(email.strip().casefold())


@post_route(router, "/signin", ("email", "password"))
def signin(request: Request, fields: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    email = fields["email"].strip()
    if not _form_csrf_ok(request, fields):
        return _anonymous_page(
            request,
            lambda t: html.signin_page(t, "The form had expired. Please sign in again.", email),
            403,
        )
    failures = runtime.failures
    client = client_address(request, runtime.settings.trusted_proxies)
    by_email = _email_key(email)
    trusted = failures.remembered(client, email)
    if not trusted and (failures.blocked(client) or failures.blocked(by_email)):
        wait = max(failures.retry_after(client), failures.retry_after(by_email))
        response = _anonymous_page(
            request,
            lambda t: html.signin_page(
                t, f"Too many failed sign-ins. Try again in {wait} seconds.", email
            ),
            429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    with runtime.db.read() as session:
        member = check_sign_in(session, email, fields["password"])
        own = places(session, member.id) if member is not None else []
    if member is None:
        failures.failed(client)
        failures.failed(by_email)
        log.info("console sign-in refused")
        return _anonymous_page(
            request, lambda t: html.signin_page(t, "Wrong email or password.", email), 400
        )
    failures.remember(client, email)
    return _signed_in(request, member.id, own[0].account_id if own else None)


def _signup_view(request: Request, invite: str | None) -> tuple[str, str | None] | None:
    """(email, account name) of a usable invitation, or None."""
    with runtime_of(request).db.read() as session:
        row = usable_invite(session, invite)
        if row is None:
            return None
        account = session.get(Account, row.account_id) if row.account_id else None
        return row.email, account.name if account else None


def _signup_closed() -> Response:
    return page(
        html.message_page(
            "Sign-up is closed",
            "This server does not take sign-ups. Ask its operator for an account.",
            link=(SIGNIN, "Sign in"),
        ),
        403,
    )


def _invite_unusable() -> Response:
    return page(
        html.message_page(
            "Invitation not valid",
            "This invitation is not valid, was already used, or has expired (they last 7 "
            "days). Ask whoever sent it for a new one.",
            link=(SIGNIN, "Sign in"),
        ),
        404,
    )


@router.get("/signup")
def signup_form(request: Request) -> Response:
    mode = runtime_of(request).settings.signup
    invite = request.query_params.get("invite") or None
    if mode == "closed":
        return _signup_closed()
    if invite is None:
        if mode != "open":
            return _invite_unusable()
        return _anonymous_page(
            request,
            lambda t: html.signup_page(t, invite=None, email="", account_name=None, error=None),
        )
    found = _signup_view(request, invite)
    if found is None:
        return _invite_unusable()
    email, account_name = found
    return _anonymous_page(
        request,
        lambda t: html.signup_page(
            t, invite=invite, email=email, account_name=account_name, error=None
        ),
    )


@post_route(router, "/signup", ("invite", "email", "password"))
def signup(request: Request, fields: dict[str, str]) -> Response:
    runtime = runtime_of(request)
    mode = runtime.settings.signup
    invite = fields["invite"] or None
    if mode == "closed":
        return _signup_closed()
    if invite is None and mode != "open":
        return _invite_unusable()
    found = _signup_view(request, invite) if invite else ("", None)
    if found is None:
        return _invite_unusable()
    email = found[0] or fields["email"].strip()

    def again(error: str, status: int) -> Response:
        return _anonymous_page(
            request,
            lambda t: html.signup_page(
                t, invite=invite, email=email, account_name=found[1], error=error
            ),
            status,
        )

    if not _form_csrf_ok(request, fields):
        return again("The form had expired. Please submit it again.", 403)
    try:
        with runtime.db.write() as session:
            if invite:
                member = accept_invite(session, invite, fields["password"])
            else:
                normalise_email(email)
                member = open_sign_up(session, email, fields["password"])
            member_id = member.id
            own = places(session, member_id)
    except SignUpRefused as exc:
        return again(str(exc), 400)
    except ValueError:
        return again("Give an email address such as someone@example.com.", 400)
    return _signed_in(request, member_id, own[0].account_id if own else None)


@member_post(router, "/signout")
def signout(request: Request, who: Viewer, fields: dict[str, str]) -> Response:
    with runtime_of(request).db.write() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
    response = see_other(SIGNIN)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@member_post(router, "/account", ("account_id",))
def choose_account(request: Request, who: Viewer, fields: dict[str, str]) -> Response:
    if fields["account_id"] not in {i for i, _ in who.accounts}:
        return not_found()
    with runtime_of(request).db.write() as session:
        row = session.get(ConsoleSession, who.session_digest)
        if row is not None:
            row.account_id = fields["account_id"]
    return see_other(HOME)
