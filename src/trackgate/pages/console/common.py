"""What every console handler shares: the answers (page, redirect, 404), cookies, who is
signed in, the session's CSRF check, the flash a POST hands to its next page, and the two
route helpers that keep the handlers to their own job.

Handlers are plain sync functions; :func:`post_route` reads the posted form on the event
loop and runs them in the threadpool, :func:`member_route` and :func:`member_post` first
find the signed-in member (else a 303 to the sign-in page). A handler stops early by raising
:class:`Refusal` (see :func:`or_404`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from trackgate.crypto import DecryptError
from trackgate.gateway import csrf
from trackgate.netaddr import client_address
from trackgate.pages.connect import PageError, read_form
from trackgate.pages.console import html
from trackgate.pages.console.people import SESSION_IDLE, live_session, places
from trackgate.pages.shell import PAGE_HEADERS
from trackgate.runtime import Runtime
from trackgate.storage.models import ConsoleMember

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

T = TypeVar("T")
Handler = Callable[..., Response]


def runtime_of(request: Request) -> Runtime:
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


def set_cookie(
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
    runtime = runtime_of(request)
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


def or_404(found: T | None) -> T:
    """The viewer's own object (looked up by the caller), or stop with the 404 that an
    unknown id gets too: another account's ids are not told apart from missing ones."""
    if found is None:
        raise Refusal(not_found())
    return found


def check_csrf(request: Request, who: Viewer, fields: dict[str, str]) -> None:
    if not csrf.verify_token(
        runtime_of(request).keyring, "console:" + who.session_digest, fields.get("csrf_token")
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


def _answer(handler: Handler, *args: Any, **kwargs: Any) -> Response:
    """Run the handler, turning a :class:`Refusal` it raises into its answer."""
    try:
        return handler(*args, **kwargs)
    except Refusal as refusal:
        return refusal.response


# --- routes --------------------------------------------------------------------------------
# The endpoints take only the request (path parameters come from ``request.path_params``),
# so one wrapper serves every route; the route keeps the handler's name.


def post_route(
    router: APIRouter, path: str, names: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """``POST path``: read ``csrf_token`` and ``names`` from the form (a bad form gets its
    error page), then ``handler(request, fields, **path_params)`` in the threadpool."""

    def register(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                fields = (await read_form(request, ("csrf_token", *names))).fields
            except PageError as exc:
                return page(html.message_page(exc.title, exc.message), exc.status)
            return await run_in_threadpool(_answer, handler, request, fields, **request.path_params)

        router.add_api_route(path, endpoint, methods=["POST"], name=handler.__name__)
        return handler

    return register


def member_post(
    router: APIRouter,
    path: str,
    names: tuple[str, ...] = (),
    gate: Callable[[Request], Viewer] = need_viewer,
) -> Callable[[Handler], Handler]:
    """:func:`post_route` for a signed-in member (``gate`` may ask more) whose session's
    CSRF token came with the form: ``handler(request, who, fields, **path_params)``."""

    def register(handler: Handler) -> Handler:
        def checked(request: Request, fields: dict[str, str], **params: str) -> Response:
            who = gate(request)
            check_csrf(request, who, fields)
            return handler(request, who, fields, **params)

        checked.__name__ = handler.__name__
        post_route(router, path, names)(checked)
        return handler

    return register


def member_route(
    router: APIRouter, path: str, gate: Callable[[Request], Viewer] = need_viewer
) -> Callable[[Handler], Handler]:
    """``GET path`` for a signed-in member: ``handler(request, who, **path_params)``, run in
    the threadpool like any sync endpoint."""

    def register(handler: Handler) -> Handler:
        def endpoint(request: Request) -> Response:
            return _answer(
                lambda: handler(request, gate(request), **request.path_params),
            )

        router.add_api_route(path, endpoint, methods=["GET"], name=handler.__name__)
        return handler

    return register


# --- flash: what a POST hands to the page after its redirect ---------------------------------


def _flash_context(who: Viewer) -> str:
    return "console.flash:" + who.session_digest


def set_flash(response: Response, request: Request, who: Viewer, value: dict[str, str]) -> None:
    runtime = runtime_of(request)
    sealed = runtime.keyring.encrypt(json.dumps(value), _flash_context(who))
    set_cookie(response, request, runtime, FLASH_COOKIE, sealed, FLASH_SECONDS)


def flash_to(request: Request, who: Viewer, path: str, **value: str) -> Response:
    """The redirect after a POST, handing ``value`` to the page it leads to."""
    response = see_other(path)
    set_flash(response, request, who, value)
    return response


def take_flash(request: Request, who: Viewer) -> dict[str, str]:
    """What the last POST handed over (read once: :func:`flashed_page` drops the cookie)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return {}
    try:
        value = json.loads(runtime_of(request).keyring.decrypt(raw, _flash_context(who)))
    except (DecryptError, ValueError):
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def flashed_page(request: Request, body: str) -> HTMLResponse:
    response = page(body)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path=COOKIE_PATH)
    return response
