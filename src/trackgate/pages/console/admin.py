"""The operators' page: every account with its counts, the server's health, and disabling
or enabling an account. To anyone else these URLs answer 404, as if they did not exist."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.responses import Response

from trackgate.gateway.revocation import set_account_disabled
from trackgate.pages.console import html, team_html
from trackgate.pages.console.common import (
    Refusal,
    Viewer,
    flash_to,
    flashed_page,
    member_post,
    member_route,
    need_viewer,
    not_found,
    runtime_of,
    take_flash,
)
from trackgate.pages.console.team import everyone
from trackgate.readiness import readiness
from trackgate.runtime import Runtime
from trackgate.storage.models import Account, ApiKey, Connection, ConsoleMembership

log = logging.getLogger("trackgate.console")

router = APIRouter(include_in_schema=False)

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


@member_route(router, "/admin", gate=_operator)
def admin_page(request: Request, who: Viewer) -> Response:
    runtime = runtime_of(request)
    _, health = readiness(runtime)
    frame = who.frame(runtime, "admin")
    flash = take_flash(request, who)
    return flashed_page(
        request,
        html.admin_page(
            frame,
            _account_rows(runtime),
            health,
            flash.get("message"),
            team_html.everyone_section(frame, everyone(request)),
        ),
    )


def _set_disabled(request: Request, who: Viewer, account_id: str, disabled: bool) -> Response:
    try:
        account = set_account_disabled(runtime_of(request), account_id, disabled)
    except LookupError:
        return not_found()
    word = "disabled: its keys are refused" if disabled else "enabled: its keys work again"
    log.info("console: account %s %s", account_id, "disabled" if disabled else "enabled")
    return flash_to(request, who, ADMIN, message=f"{account.name} is {word}.")


@member_post(router, "/admin/accounts/{account_id}/disable", gate=_operator)
def disable_account(
    request: Request, who: Viewer, fields: dict[str, str], account_id: str
) -> Response:
    return _set_disabled(request, who, account_id, True)


@member_post(router, "/admin/accounts/{account_id}/enable", gate=_operator)
def enable_account(
    request: Request, who: Viewer, fields: dict[str, str], account_id: str
) -> Response:
    return _set_disabled(request, who, account_id, False)
