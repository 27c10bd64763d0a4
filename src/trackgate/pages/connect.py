"""``/connect?session_token=...``: the browser page that completes a connection.

GET shows the form, which asks for the scopes the account's keys may use (the person may
untick all but ``read``); POST (to the same url) checks the credential against the upstream
and, if it works, seals it with the scopes granted and consumes the session. Failed submits
are counted per link (5 close it) and per client address (the shared failure limit). The
address limit is against guessing links: over it, a link that works still opens and submits
its form (its own five attempts bound the credentials tried through it), while unknown links
are refused. Every answer is HTML that cannot be cached, framed or leak its url through a
referrer. The session token is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from trackgate.gateway import csrf
from trackgate.gateway.connections import (
    SESSION_LIFETIME,
    SessionUnusable,
    SessionView,
    Verified,
    complete_session,
    record_failure,
    view_session,
)
from trackgate.gateway.scopes import ALL, read_stored
from trackgate.gateway.state import GatewayState, gateway_state
from trackgate.gateway.verify import Refused, VerifyUnavailable, verify_credential
from trackgate.invalidation import CONNECTION, Invalidation
from trackgate.netaddr import client_address
from trackgate.pages import connect_html
from trackgate.pages.shell import PAGE_HEADERS

log = logging.getLogger("trackgate.connect")

router = APIRouter(include_in_schema=False)

MAX_FORM_BYTES = 16 * 1024
MAX_FIELD_CHARS = 1024
FORM_FIELDS = ("csrf_token", "api_token", "email", "password")
#: The checkboxes of the scopes asked for: one field per box ticked.
SCOPE_FIELD = "scope"


@dataclass(frozen=True)
class Submitted:
    #: the first value of each of :data:`FORM_FIELDS` ("" when absent)
    fields: dict[str, str]
    #: the scope boxes ticked; None when the form carried none at all
    ticked: list[str] | None


class PageError(Exception):
    """An answer other than the form or success, rendered as a message page."""

    def __init__(
        self, status: int, title: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.headers = headers or {}


def page(html: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


def error_page(exc: PageError | SessionUnusable) -> HTMLResponse:
    headers = exc.headers if isinstance(exc, PageError) else None
    return page(
        connect_html.message_page(title=exc.title, message=exc.message), exc.status, headers
    )


def form_response(
    state: GatewayState, view: SessionView, status: int = 200, error: str | None = None
) -> HTMLResponse:
    token = csrf.make_token(
        state.runtime.keyring, view.token_digest, SESSION_LIFETIME.total_seconds()
    )
    settings = state.runtime.settings
    html = connect_html.form_page(
        app=view.app,
        account_name=view.account_name,
        upstream_url=settings.upstream_url,
        csrf_token=token,
        error=error,
        reauthorise=view.connection_status == "ACTIVE",
        asked=view.asked,
        contact=settings.operator_contact,
    )
    return page(html, status)


def _view(state: GatewayState, token: str | None) -> SessionView:
    with state.runtime.db.read() as session:
        return view_session(session, token)


def _client(state: GatewayState, request: Request) -> str:
    return client_address(request, state.runtime.settings.trusted_proxies)


@router.get("/connect")
def show_form(request: Request) -> HTMLResponse:
    """The form. An unknown session token is a failed attempt (tokens must not be guessed at
    speed); over the limit only a link that works still opens the form."""
    state = gateway_state(request)
    try:
        view = _view(state, request.query_params.get("session_token"))
    except SessionUnusable as exc:
        if exc.status != 404:
            return error_page(exc)
        return _guessed(state, _client(state, request), exc)
    return form_response(state, view)


def _guessed(state: GatewayState, client: str, unknown: SessionUnusable) -> HTMLResponse:
    """An unknown link is a guess: it counts toward the address's limit, and over the limit
    the answer is the limit's (it says nothing about the link)."""
    try:
        _blocked(state, client)
    except PageError as blocked:
        answer = error_page(blocked)
    else:
        answer = error_page(unknown)
    state.runtime.failures.failed(client)
    return answer


async def read_form(request: Request, field_names: tuple[str, ...] = FORM_FIELDS) -> Submitted:
    """The submitted fields (form-urlencoded), first value of each, and the scope boxes
    ticked; size-limited."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PageError(
                413, "Form too large", "The form sent was too large. Go back and try again."
            )
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PageError(
            400, "Form not readable", "The form sent could not be read. Go back and try again."
        ) from exc
    fields = {name: parsed.get(name, [""])[0] for name in field_names}
    if any(len(value) > MAX_FIELD_CHARS for value in fields.values()):
        raise PageError(
            400, "Form not readable", "A field of the form was too long. Go back and try again."
        )
    ticked = parsed.get(SCOPE_FIELD)
    return Submitted(fields, [name for name in ticked if name in ALL] if ticked else None)


def _blocked(state: GatewayState, client: str) -> None:
    failures = state.runtime.failures
    if failures.blocked(client):
        wait = failures.retry_after(client)
        raise PageError(
            429,
            "Too many attempts",
            f"Too many failed attempts from your address. Try again in {wait} seconds.",
            {"Retry-After": str(wait)},
        )


def _fail(state: GatewayState, token: str, reason: str) -> int:
    with state.runtime.db.write() as session:
        return record_failure(session, token, reason)


def _complete(
    state: GatewayState, token: str, found: Verified, ticked: list[str] | None
) -> frozenset[str]:
    """Activate the connection; what its owner granted."""
    with state.runtime.db.write() as session:
        connection = complete_session(session, state.runtime.keyring, token, found, ticked)
        connection_id = connection.id
        account_id = connection.account_id
        granted = read_stored(connection.scopes)
    # committed: every process drops the credential it held before (this one at once)
    state.runtime.invalidations.announce(Invalidation(CONNECTION, connection_id, account_id))
    log.info("connection %s is ACTIVE (method %s)", connection_id, found.method)
    return granted


@router.post("/connect")
async def submit_form(request: Request) -> HTMLResponse:
    state = gateway_state(request)
    client = _client(state, request)
    token = request.query_params.get("session_token")
    try:
        submitted = await read_form(request)
        view = await run_in_threadpool(_view, state, token)
    except SessionUnusable as exc:
        return _guessed(state, client, exc) if exc.status == 404 else error_page(exc)
    except PageError as exc:
        return error_page(exc)
    assert token is not None
    fields = submitted.fields
    if not csrf.verify_token(state.runtime.keyring, view.token_digest, fields["csrf_token"]):
        error = "The form had expired or did not come from this page. Please submit it again."
        return form_response(state, view, 403, error)
    api_token, email = fields["api_token"].strip(), fields["email"].strip()
    password = fields["password"]
    if not api_token and not (email and password):
        error = "Give the account's API token, or its email and password."
        return form_response(state, view, 400, error)
    try:
        outcome = await verify_credential(
            state.live_upstream, api_token=api_token, email=email, password=password
        )
    except VerifyUnavailable as exc:
        headers = {"Retry-After": exc.retry_after} if exc.retry_after else None
        return error_page(PageError(exc.status, "Try again", exc.message, headers))
    if isinstance(outcome, Refused):
        return await _refused(state, client, token, view, outcome.reason)
    try:
        granted = await run_in_threadpool(_complete, state, token, outcome, submitted.ticked)
    except SessionUnusable as exc:
        return error_page(exc)
    email_shown = str(outcome.metadata.get("email") or email)
    fullname = str(outcome.metadata.get("fullname") or "")
    html = connect_html.connected_page(
        app=view.app,
        account_name=view.account_name,
        email=email_shown,
        fullname=fullname,
        granted=granted,
        upstream_url=state.runtime.settings.upstream_url,
        contact=state.runtime.settings.operator_contact,
    )
    return page(html)


async def _refused(
    state: GatewayState, client: str, token: str, view: SessionView, reason: str
) -> HTMLResponse:
    state.runtime.failures.failed(client)
    left = await run_in_threadpool(_fail, state, token, reason)
    if left == 0:
        message = f"{reason} Too many failed attempts closed this link; ask for a new one."
        return page(connect_html.message_page(title="Link closed", message=message), 400)
    plural = "s" if left != 1 else ""
    return form_response(state, view, 400, f"{reason} {left} attempt{plural} left.")
