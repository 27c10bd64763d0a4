"""``/console/...``: the web console's handlers.

Every page needs a live session (else a 303 to the sign-in page); every POST checks a CSRF
token bound to the session (or, before sign-in, to a form cookie) and answers with a 303 to a
relative console URL. An id of another account's key or connection is answered 404, exactly
like an unknown one. Keys and connections are made, renamed, revoked and deleted by the same
functions the command line and the control API call.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from trackgate.crypto import DecryptError, digest
from trackgate.gateway import csrf
from trackgate.gateway.connections import (
    APPS,
    TooManyPending,
    connect_url,
    create_connection,
    delete_connection,
    ensure_tokens,
    issue_session,
    list_connections,
    owned_connection,
)
from trackgate.gateway.keys import issue_key, list_keys, rename_key
from trackgate.gateway.revocation import revoke_key_everywhere, set_account_disabled
from trackgate.invalidation import CONNECTION, Invalidation
from trackgate.netaddr import client_address
from trackgate.pages.connect import PageError, read_form
from trackgate.pages.console import html
from trackgate.pages.console.people import (
    SESSION_ABSOLUTE,
    SESSION_IDLE,
    SignUpRefused,
    accept_invite,
    check_sign_in,
    end_session,
    live_session,
    normalise_email,
    open_sign_up,
    places,
    start_session,
    usable_invite,
)
from trackgate.pages.shell import PAGE_HEADERS
from trackgate.readiness import readiness
from trackgate.runtime import Runtime
from trackgate.storage.models import (
    Account,
    ApiKey,
    Connection,
    ConsoleMember,
    ConsoleMembership,
    ConsoleSession,
)

log = logging.getLogger("trackgate.console")

router = APIRouter(prefix="/console", include_in_schema=False)

SESSION_COOKIE = "trackgate_console"
#: Before sign-in, the forms' CSRF tokens are bound to this random cookie.
FORM_COOKIE = "trackgate_console_form"
#: What a POST tells the page it leads to (a new key, a connect link), sealed, read once.
FLASH_COOKIE = "trackgate_console_flash"
COOKIE_PATH = "/console"
FORM_LIFETIME = timedelta(days=1)
FLASH_SECONDS = 120
SIGNIN = "/console/signin"
HOME = "/console/keys"


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _secure(request: Request, runtime: Runtime) -> bool:
    """Whether the browser reached us over HTTPS (directly, by the public URL, or through a
    trusted proxy that says so): then cookies are ``Secure``."""
    if request.url.scheme == "https":
        return True
    if (runtime.settings.public_url or "").startswith("https://"):
        return True
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if forwarded == "https" and peer is not None:
        return client_address(request, runtime.settings.trusted_proxies) != peer
    return False


def page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=dict(PAGE_HEADERS))


def see_other(path: str) -> Response:
    """After a POST: the page to show next, a relative URL of the console."""
    assert path.startswith("/console")
    return Response(status_code=303, headers={**PAGE_HEADERS, "Location": path})


def not_found() -> HTMLResponse:
    return page(
        html.message_page(
            "Not found", "There is nothing here.", link=(HOME, "Back to the console")
        ),
        404,
    )


def _set_cookie(
    response: Response, request: Request, runtime: Runtime, name: str, value: str, age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(request, runtime),
    )


# --- who is looking ------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    session_digest: str
    member_id: str
    email: str
    operator: bool
    account_id: str | None
    account_name: str | None
    account_disabled: bool
    accounts: list[tuple[str, str]]

    def frame(self, runtime: Runtime, current: str) -> html.Frame:
        return html.Frame(
            email=self.email,
            operator=self.operator,
            account_name=self.account_name,
            accounts=self.accounts,
            account_id=self.account_id,
            csrf=session_csrf(runtime, self.session_digest),
            current=current,
        )


def session_csrf(runtime: Runtime, session_digest: str) -> str:
    return csrf.make_token(
        runtime.keyring, "console:" + session_digest, SESSION_IDLE.total_seconds()
    )


def viewer(request: Request) -> Viewer | None:
    """The signed-in member of this request, or None (no, unknown or ended session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    runtime = _runtime(request)
    with runtime.db.write() as session:
        row = live_session(session, token)
        if row is None:
            return None
        member = session.get(ConsoleMember, row.member_id)
        if member is None:
            return None
        own = places(session, member.id)
        chosen = next((p for p in own if p.account_id == row.account_id), None)
        if chosen is None and own:
            chosen = own[0]
            row.account_id = chosen.account_id
        return Viewer(
            session_digest=row.id_digest,
            member_id=member.id,
            email=member.email,
            operator=member.operator,
            account_id=chosen.account_id if chosen else None,
            account_name=chosen.name if chosen else None,
            account_disabled=chosen.disabled if chosen else False,
            accounts=[(p.account_id, p.name) for p in own],
        )


class Refusal(Exception):
    """Stop and answer this instead."""

    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


def need_viewer(request: Request) -> Viewer:
    found = viewer(request)
    if found is None:
        raise Refusal(see_other(SIGNIN))
    return found


def check_csrf(request: Request, who: Viewer, fields: dict[str, str]) -> None:
    if not csrf.verify_token(
        _runtime(request).keyring, "console:" + who.session_digest, fields.get("csrf_token")
    ):
        raise Refusal(
            page(
                html.message_page(
                    "Form expired",
                    "The form had expired or did not come from this console. Go back, "
                    "reload the page and try again.",
                    link=(HOME, "Back to the console"),
                ),
                403,
            )
        )


def answered(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Turn a :class:`Refusal` raised by the handler into its answer."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except Refusal as refusal:
            return refusal.response

    return run


async def posted(request: Request, names: tuple[str, ...]) -> dict[str, str] | Response:
    try:
        return (await read_form(request, ("csrf_token", *names))).fields
    except PageError as exc:
        return page(html.message_page(exc.title, exc.message), exc.status)


# --- flash: what a POST hands to the page after its redirect ---------------------------------


def _flash_context(who: Viewer) -> str:
    return "console.flash:" + who.session_digest


def set_flash(response: Response, request: Request, who: Viewer, value: dict[str, str]) -> None:
    runtime = _runtime(request)
    sealed = runtime.keyring.encrypt(json.dumps(value), _flash_context(who))
    _set_cookie(response, request, runtime, FLASH_COOKIE, sealed, FLASH_SECONDS)


def take_flash(request: Request, who: Viewer) -> dict[str, str]:
    """What the last POST handed over (read once: :func:`flashed_page` drops the cookie)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return {}
    try:
        value = json.loads(_runtime(request).keyring.decrypt(raw, _flash_context(who)))
    except (DecryptError, ValueError):
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def flashed_page(request: Request, body: str) -> HTMLResponse:
    response = page(body)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path=COOKIE_PATH)
    return response


# --- signing in, up and out -----------------------------------------------------------------


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
        _runtime(request).keyring, "console-form:" + digest(cookie), fields.get("csrf_token")
    )


def _anonymous_page(request: Request, render: Callable[[str], str], status: int = 200) -> Response:
    runtime = _runtime(request)
    token, fresh = _form_token(request, runtime)
    response = page(render(token), status)
    if fresh:
        _set_cookie(
            response, request, runtime, FORM_COOKIE, fresh, int(FORM_LIFETIME.total_seconds())
        )
    return response


def _signed_in(request: Request, member_id: str, account_id: str | None) -> Response:
    """A new session (never the one the browser came with) and its cookie."""
    runtime = _runtime(request)
    with runtime.db.write() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
        token = start_session(session, member_id, account_id)
        operator_only = account_id is None
    response = see_other("/console/admin" if operator_only else HOME)
    _set_cookie(
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


def _sign_in(request: Request, fields: dict[str, str]) -> Response:
    runtime = _runtime(request)
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


@router.post("/signin")
async def signin(request: Request) -> Response:
    fields = await posted(request, ("email", "password"))
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_sign_in, request, fields)


def _signup_view(request: Request, invite: str | None) -> tuple[str, str | None] | None:
    """(email, account name) of a usable invitation, or None."""
    with _runtime(request).db.read() as session:
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
    mode = _runtime(request).settings.signup
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


def _sign_up(request: Request, fields: dict[str, str]) -> Response:
    runtime = _runtime(request)
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


@router.post("/signup")
async def signup(request: Request) -> Response:
    fields = await posted(request, ("invite", "email", "password"))
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_sign_up, request, fields)


@answered
def _sign_out(request: Request, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    with _runtime(request).db.write() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
    response = see_other(SIGNIN)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_sign_out, request, fields)


@answered
def _choose_account(request: Request, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    if fields["account_id"] not in {i for i, _ in who.accounts}:
        return not_found()
    with _runtime(request).db.write() as session:
        row = session.get(ConsoleSession, who.session_digest)
        if row is not None:
            row.account_id = fields["account_id"]
    return see_other(HOME)


@router.post("/account")
async def choose_account(request: Request) -> Response:
    fields = await posted(request, ("account_id",))
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_choose_account, request, fields)


# --- keys -----------------------------------------------------------------------------------


def _owned_key(runtime: Runtime, who: Viewer, key_id: str) -> ApiKey | None:
    if who.account_id is None or len(key_id) > 40:
        return None
    with runtime.db.read() as session:
        key = session.get(ApiKey, key_id)
    return key if key is not None and key.account_id == who.account_id else None


@router.get("/keys")
@answered
def keys_page(request: Request) -> Response:
    who = need_viewer(request)
    runtime = _runtime(request)
    keys: list[ApiKey] = []
    if who.account_id is not None:
        with runtime.db.read() as session:
            keys = list_keys(session, who.account_id)
    flash = take_flash(request, who)
    return flashed_page(
        request,
        html.keys_page(
            who.frame(runtime, "keys"),
            keys,
            new_key=flash.get("new_key"),
            message=flash.get("message"),
            disabled=who.account_disabled,
        ),
    )


@answered
def _create_key(request: Request, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    if who.account_id is None:
        return not_found()
    name = fields["name"].strip()[:255] or None
    with _runtime(request).db.write() as session:
        issued = issue_key(session, who.account_id, name=name)
    log.info("console: key %s created", issued.key_id)
    response = see_other(HOME)
    set_flash(response, request, who, {"new_key": issued.api_key})
    return response


@router.post("/keys")
async def create_key(request: Request) -> Response:
    fields = await posted(request, ("name",))
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_create_key, request, fields)


@router.get("/keys/{key_id}/rename")
@answered
def rename_form(request: Request, key_id: str) -> Response:
    who = need_viewer(request)
    runtime = _runtime(request)
    key = _owned_key(runtime, who, key_id)
    if key is None:
        return not_found()
    return page(html.rename_page(who.frame(runtime, "keys"), key))


@answered
def _rename(request: Request, key_id: str, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    runtime = _runtime(request)
    key = _owned_key(runtime, who, key_id)
    if key is None:
        return not_found()
    try:
        with runtime.db.write() as session:
            rename_key(session, key.id, fields["name"])
    except ValueError as exc:
        return page(html.rename_page(who.frame(runtime, "keys"), key, f"Give {exc}."), 400)
    response = see_other(HOME)
    set_flash(response, request, who, {"message": "The key was renamed."})
    return response


@router.post("/keys/{key_id}/rename")
async def rename(request: Request, key_id: str) -> Response:
    fields = await posted(request, ("name",))
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_rename, request, key_id, fields)


@answered
def _revoke(request: Request, key_id: str, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    runtime = _runtime(request)
    key = _owned_key(runtime, who, key_id)
    if key is None:
        return not_found()
    revoke_key_everywhere(runtime, key.id)
    log.info("console: key %s revoked", key.id)
    response = see_other(HOME)
    set_flash(response, request, who, {"message": "The key was revoked: it no longer works."})
    return response


@router.post("/keys/{key_id}/revoke")
async def revoke(request: Request, key_id: str) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_revoke, request, key_id, fields)


# --- connections ----------------------------------------------------------------------------

CONNECTIONS = "/console/connections"


def _owned_connection(runtime: Runtime, who: Viewer, connection_id: str) -> Connection | None:
    if who.account_id is None:
        return None
    with runtime.db.read() as session:
        return owned_connection(session, who.account_id, connection_id)


@router.get("/connections")
@answered
def connections_page(request: Request) -> Response:
    who = need_viewer(request)
    runtime = _runtime(request)
    found: list[Connection] = []
    if who.account_id is not None:
        with runtime.db.read() as session:
            found = list_connections(session, who.account_id)
    pending = [c.id for c in found if c.status == "PENDING"]
    tokens = ensure_tokens(runtime.db, runtime.keyring, pending)
    root = runtime.settings.root_url
    urls = {cid: connect_url(root, token) for cid, token in tokens.items()}
    default = next((c.id for c in found if c.status == "ACTIVE" and c.app == APPS[0]), None)
    flash = take_flash(request, who)
    return flashed_page(
        request,
        html.connections_page(
            who.frame(runtime, "connections"),
            found,
            urls,
            default_id=default,
            fresh_url=flash.get("connect_url"),
            message=flash.get("message"),
        ),
    )


@answered
def _new_connection(request: Request, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    if who.account_id is None:
        return not_found()
    runtime = _runtime(request)
    response = see_other(CONNECTIONS)
    try:
        with runtime.db.write() as session:
            connection = create_connection(session, who.account_id, APPS[0])
            token = issue_session(session, runtime.keyring, connection.id)
    except TooManyPending:
        set_flash(
            response,
            request,
            who,
            {"message": "Too many connections are waiting: complete or delete one first."},
        )
        return response
    url = connect_url(runtime.settings.root_url, token)
    set_flash(
        response, request, who, {"message": "A new connection is waiting.", "connect_url": url}
    )
    return response


@router.post("/connections")
async def new_connection(request: Request) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_new_connection, request, fields)


@answered
def _reconnect(request: Request, connection_id: str, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    runtime = _runtime(request)
    connection = _owned_connection(runtime, who, connection_id)
    if connection is None:
        return not_found()
    with runtime.db.write() as session:
        token = issue_session(session, runtime.keyring, connection.id)
    url = connect_url(runtime.settings.root_url, token)
    response = see_other(CONNECTIONS)
    set_flash(
        response,
        request,
        who,
        {"message": "Open the link to sign in to this connection again.", "connect_url": url},
    )
    return response


@router.post("/connections/{connection_id}/reconnect")
async def reconnect(request: Request, connection_id: str) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_reconnect, request, connection_id, fields)


@router.get("/connections/{connection_id}/delete")
@answered
def delete_form(request: Request, connection_id: str) -> Response:
    who = need_viewer(request)
    runtime = _runtime(request)
    connection = _owned_connection(runtime, who, connection_id)
    if connection is None:
        return not_found()
    return page(html.delete_connection_page(who.frame(runtime, "connections"), connection))


@answered
def _delete(request: Request, connection_id: str, fields: dict[str, str]) -> Response:
    who = need_viewer(request)
    check_csrf(request, who, fields)
    runtime = _runtime(request)
    if who.account_id is None:
        return not_found()
    with runtime.db.write() as session:
        connection = owned_connection(session, who.account_id, connection_id)
        if connection is None:
            return not_found()
        deleted_id = connection.id
        delete_connection(session, connection)
    # committed: every process stops using it, as after DELETE /connections/{id}
    runtime.invalidations.announce(Invalidation(CONNECTION, deleted_id, who.account_id))
    response = see_other(CONNECTIONS)
    set_flash(response, request, who, {"message": "The connection was deleted."})
    return response


@router.post("/connections/{connection_id}/delete")
async def delete(request: Request, connection_id: str) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_delete, request, connection_id, fields)


# --- operators ------------------------------------------------------------------------------

ADMIN = "/console/admin"


def _operator(request: Request) -> Viewer:
    who = need_viewer(request)
    if not who.operator:
        raise Refusal(not_found())
    return who


def _account_rows(runtime: Runtime) -> list[html.AccountRow]:
    with runtime.db.read() as session:
        accounts = list(session.scalars(select(Account).order_by(Account.created_at, Account.id)))

        def counts(column: Any, *where: Any) -> dict[str, int]:
            query = select(column, func.count()).where(*where).group_by(column)
            return {str(k): int(n) for k, n in session.execute(query)}

        members = counts(ConsoleMembership.account_id)
        keys = counts(ApiKey.account_id, ApiKey.revoked_at.is_(None))
        connections = counts(Connection.account_id)
    return [
        html.AccountRow(
            a.id,
            a.name,
            members.get(a.id, 0),
            keys.get(a.id, 0),
            connections.get(a.id, 0),
            a.disabled_at is not None,
        )
        for a in accounts
    ]


@router.get("/admin")
@answered
def admin_page(request: Request) -> Response:
    who = _operator(request)
    runtime = _runtime(request)
    _, health = readiness(runtime)
    flash = take_flash(request, who)
    return flashed_page(
        request,
        html.admin_page(
            who.frame(runtime, "admin"), _account_rows(runtime), health, flash.get("message")
        ),
    )


@answered
def _set_disabled(
    request: Request, account_id: str, fields: dict[str, str], disabled: bool
) -> Response:
    who = _operator(request)
    check_csrf(request, who, fields)
    runtime = _runtime(request)
    try:
        account = set_account_disabled(runtime, account_id, disabled)
    except LookupError:
        return not_found()
    word = "disabled: its keys are refused" if disabled else "enabled: its keys work again"
    log.info("console: account %s %s", account_id, "disabled" if disabled else "enabled")
    response = see_other(ADMIN)
    set_flash(response, request, who, {"message": f"{account.name} is {word}."})
    return response


@router.post("/admin/accounts/{account_id}/disable")
async def disable_account(request: Request, account_id: str) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_set_disabled, request, account_id, fields, True)


@router.post("/admin/accounts/{account_id}/enable")
async def enable_account(request: Request, account_id: str) -> Response:
    fields = await posted(request, ())
    if isinstance(fields, Response):
        return fields
    return await run_in_threadpool(_set_disabled, request, account_id, fields, False)
