"""The signed-in member's connections to Toggl: list, start, reconnect, delete.

A connection is made and deleted by the same functions the control API calls; its connect
link (the page where its owner signs in to Toggl) is handed to the next page by the flash.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

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
from trackgate.invalidation import CONNECTION, Invalidation
from trackgate.pages.console import html
from trackgate.pages.console.common import (
    Viewer,
    flash_to,
    flashed_page,
    member_post,
    member_route,
    not_found,
    or_404,
    page,
    runtime_of,
    take_flash,
)
from trackgate.storage.models import Connection

router = APIRouter(include_in_schema=False)

CONNECTIONS = "/console/connections"


def _owned_connection(request: Request, who: Viewer, connection_id: str) -> Connection:
    """The viewer's account's connection, else a 404 (see :func:`or_404`)."""
    found: Connection | None = None
    if who.account_id is not None:
        with runtime_of(request).db.read() as session:
            found = owned_connection(session, who.account_id, connection_id)
    return or_404(found)


@member_route(router, "/connections")
def connections_page(request: Request, who: Viewer) -> Response:
    runtime = runtime_of(request)
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


@member_post(router, "/connections")
def new_connection(request: Request, who: Viewer, fields: dict[str, str]) -> Response:
    if who.account_id is None:
        return not_found()
    runtime = runtime_of(request)
    try:
        with runtime.db.write() as session:
            connection = create_connection(session, who.account_id, APPS[0])
            token = issue_session(session, runtime.keyring, connection.id)
    except TooManyPending:
        return flash_to(
            request,
            who,
            CONNECTIONS,
            message="Too many connections are waiting: complete or delete one first.",
        )
    url = connect_url(runtime.settings.root_url, token)
    return flash_to(
        request, who, CONNECTIONS, message="A new connection is waiting.", connect_url=url
    )


@member_post(router, "/connections/{connection_id}/reconnect")
def reconnect(
    request: Request, who: Viewer, fields: dict[str, str], connection_id: str
) -> Response:
    runtime = runtime_of(request)
    connection = _owned_connection(request, who, connection_id)
    with runtime.db.write() as session:
        token = issue_session(session, runtime.keyring, connection.id)
    return flash_to(
        request,
        who,
        CONNECTIONS,
        message="Open the link to sign in to this connection again.",
        connect_url=connect_url(runtime.settings.root_url, token),
    )


@member_route(router, "/connections/{connection_id}/delete")
def delete_form(request: Request, who: Viewer, connection_id: str) -> Response:
    connection = _owned_connection(request, who, connection_id)
    frame = who.frame(runtime_of(request), "connections")
    return page(html.delete_connection_page(frame, connection))


@member_post(router, "/connections/{connection_id}/delete")
def delete(request: Request, who: Viewer, fields: dict[str, str], connection_id: str) -> Response:
    runtime = runtime_of(request)
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
    return flash_to(request, who, CONNECTIONS, message="The connection was deleted.")
