"""The signed-in member's API keys: list, create, rename, revoke.

Keys are made, renamed and revoked by the same functions the command line and the control
API call; a new key is shown once, through the flash, on the page the POST leads to.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import Response

from trackgate.gateway.keys import issue_key, list_keys, rename_key
from trackgate.gateway.revocation import revoke_key_everywhere
from trackgate.pages.console import html
from trackgate.pages.console.common import (
    HOME,
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
from trackgate.storage.models import ApiKey

log = logging.getLogger("trackgate.console")

router = APIRouter(include_in_schema=False)


def _owned_key(request: Request, who: Viewer, key_id: str) -> ApiKey:
    """The viewer's account's key ``key_id``, else a 404 (see :func:`or_404`)."""
    found: ApiKey | None = None
    if who.account_id is not None and len(key_id) <= 40:
        with runtime_of(request).db.read() as session:
            found = session.get(ApiKey, key_id)
    return or_404(found if found is not None and found.account_id == who.account_id else None)


@member_route(router, "/keys")
def keys_page(request: Request, who: Viewer) -> Response:
    runtime = runtime_of(request)
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


@member_post(router, "/keys", ("name",))
def create_key(request: Request, who: Viewer, fields: dict[str, str]) -> Response:
    if who.account_id is None:
        return not_found()
    name = fields["name"].strip()[:255] or None
    with runtime_of(request).db.write() as session:
        issued = issue_key(session, who.account_id, name=name)
    log.info("console: key %s created", issued.key_id)
    return flash_to(request, who, HOME, new_key=issued.api_key)


@member_route(router, "/keys/{key_id}/rename")
def rename_form(request: Request, who: Viewer, key_id: str) -> Response:
    key = _owned_key(request, who, key_id)
    return page(html.rename_page(who.frame(runtime_of(request), "keys"), key))


@member_post(router, "/keys/{key_id}/rename", ("name",))
def rename(request: Request, who: Viewer, fields: dict[str, str], key_id: str) -> Response:
    runtime = runtime_of(request)
    key = _owned_key(request, who, key_id)
    try:
        with runtime.db.write() as session:
            rename_key(session, key.id, fields["name"])
    except ValueError as exc:
        return page(html.rename_page(who.frame(runtime, "keys"), key, f"Give {exc}."), 400)
    return flash_to(request, who, HOME, message="The key was renamed.")


@member_post(router, "/keys/{key_id}/revoke")
def revoke(request: Request, who: Viewer, fields: dict[str, str], key_id: str) -> Response:
    key = _owned_key(request, who, key_id)
    revoke_key_everywhere(runtime_of(request), key.id)
    log.info("console: key %s revoked", key.id)
    return flash_to(request, who, HOME, message="The key was revoked: it no longer works.")
