"""``/console/connections/{id}/week``: the connection's own Toggl time this week -- the
running timer (with Stop), a Start form, the week's entries by day and the hours per project.

Every read and write is a call of the gateway's proxy made in-process
(:meth:`ProxyEndpoint.relay`): the quota shield answers the reads from its mirror when it is
fresh, and the writes teach the mirror what changed, exactly as a key's calls would. Only the
members of the connection's account see it; any other id is a 404.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import anyio.from_thread
from fastapi import APIRouter, Request
from starlette.responses import Response

from trackgate.gateway.connections import owned_connection
from trackgate.gateway.errors import GatewayError
from trackgate.gateway.proxy import Relayed, proxy_endpoint
from trackgate.pages.console import week_html
from trackgate.pages.console.common import (
    Viewer,
    flash_to,
    flashed_page,
    member_post,
    member_route,
    or_404,
    page,
    runtime_of,
    see_other,
    take_flash,
)
from trackgate.storage.models import Connection
from trackgate.zones import zone_named

router = APIRouter(include_in_schema=False)

API = "/api/v9"
CREATED_WITH = "trackgate console"
MAX_DESCRIPTION = 3000


class Refused(Exception):
    """The proxy or Toggl said no; ``message`` is for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def week_path(connection_id: str) -> str:
    return f"/console/connections/{connection_id}/week"


def _connection(request: Request, who: Viewer, connection_id: str) -> Connection:
    found: Connection | None = None
    if who.account_id is not None:
        with runtime_of(request).db.read() as session:
            found = owned_connection(session, who.account_id, connection_id)
    return or_404(found)


def _admit(request: Request, who: Viewer) -> None:
    """One page or form of the console counts once against the account's rate limit."""
    endpoint = proxy_endpoint(request.app)
    if endpoint is None or who.account_id is None:
        raise Refused(503, "The gateway's proxy is not running here.")
    try:
        anyio.from_thread.run(endpoint.admit, who.account_id)
    except GatewayError as exc:
        raise Refused(exc.status, exc.message) from None


def _call(
    request: Request,
    who: Viewer,
    connection_id: str,
    method: str,
    target: str,
    body: Any = None,
) -> Any:
    """One call through the proxy (from the threadpool onto the event loop); its JSON."""
    endpoint = proxy_endpoint(request.app)
    if endpoint is None or who.account_id is None:
        raise Refused(503, "The gateway's proxy is not running here.")
    sent = json.dumps(body).encode() if body is not None else None
    try:
        answer: Relayed = anyio.from_thread.run(
            endpoint.relay, who.account_id, connection_id, method, target, sent
        )
    except GatewayError as exc:
        raise Refused(exc.status, exc.message) from None
    if answer.status >= 400:
        text = answer.body.decode("utf-8", "replace").strip().strip('"')[:300]
        raise Refused(answer.status, f"Toggl answered {answer.status}: {text or 'no reason'}")
    try:
        return json.loads(answer.body) if answer.body.strip() else None
    except ValueError:
        raise Refused(502, "Toggl's answer was not JSON.") from None


def _user(request: Request, who: Viewer, connection_id: str) -> dict[str, Any]:
    found = _call(request, who, connection_id, "GET", f"{API}/me")
    return found if isinstance(found, dict) else {}


def _zone(me: dict[str, Any]) -> ZoneInfo:
    return zone_named(str(me.get("timezone") or "")) or ZoneInfo("UTC")


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def week_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of ``now``'s week, in the user's zone."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone)


def _projects(request: Request, who: Viewer, connection_id: str) -> list[dict[str, Any]]:
    """Every project of the user, archived ones too (their entries still name them)."""
    target = f"{API}/me/projects?include_archived=true"
    found = _call(request, who, connection_id, "GET", target)
    return [p for p in found or [] if isinstance(p, dict) and isinstance(p.get("id"), int)]


def _active_names(projects: list[dict[str, Any]]) -> list[str]:
    return sorted({str(p.get("name") or "") for p in projects if p.get("active")} - {""})


@member_route(router, "/connections/{connection_id}/week")
def week_page(request: Request, who: Viewer, connection_id: str) -> Response:
    connection = _connection(request, who, connection_id)
    runtime = runtime_of(request)
    frame = who.frame(runtime, "connections")
    flash = take_flash(request, who)
    if connection.status != "ACTIVE":
        body = week_html.inactive_page(frame, connection)
        return page(body, 409)
    try:
        _admit(request, who)
        me = _user(request, who, connection_id)
        zone = _zone(me)
        begin = week_start(datetime.now(UTC), zone)
        span = urlencode(
            {"start_date": _stamp(begin), "end_date": _stamp(begin + timedelta(days=7))},
            safe=":",
        )
        entries = _call(request, who, connection_id, "GET", f"{API}/me/time_entries?{span}")
        current = _call(request, who, connection_id, "GET", f"{API}/me/time_entries/current")
        projects = _projects(request, who, connection_id)
    except Refused as refused:
        body = week_html.refused_page(frame, connection, refused.message)
        return page(body, refused.status if refused.status >= 400 else 502)
    week = week_html.Week.build(
        [e for e in entries or [] if isinstance(e, dict)],
        current if isinstance(current, dict) else None,
        {int(p["id"]): str(p.get("name") or "") for p in projects if "id" in p},
        begin,
        zone,
        datetime.now(UTC),
    )
    return flashed_page(
        request,
        week_html.week_page(
            frame,
            connection,
            week,
            _active_names(projects),
            message=flash.get("message"),
            error=flash.get("error"),
        ),
    )


def _back(request: Request, who: Viewer, connection_id: str, **flash: str) -> Response:
    return flash_to(request, who, week_path(connection_id), **flash)


@member_post(router, "/connections/{connection_id}/week/start", ("description", "project"))
def start(request: Request, who: Viewer, fields: dict[str, str], connection_id: str) -> Response:
    if _connection(request, who, connection_id).status != "ACTIVE":
        return see_other(week_path(connection_id))  # which says why
    description = fields.get("description", "").strip()
    wanted = fields.get("project", "").strip()
    if len(description) > MAX_DESCRIPTION:
        return _back(request, who, connection_id, error="The description is too long.")
    try:
        _admit(request, who)
        me = _user(request, who, connection_id)
        workspace = me.get("default_workspace_id")
        project_id: int | None = None
        if wanted:
            named = [
                p
                for p in _projects(request, who, connection_id)
                if p.get("active") and str(p.get("name") or "").casefold() == wanted.casefold()
            ]
            if not named:
                return _back(
                    request, who, connection_id, error=f"There is no project named {wanted!r}."
                )
            project_id = int(named[0]["id"])
            workspace = named[0].get("workspace_id") or workspace
        if not isinstance(workspace, int):
            return _back(request, who, connection_id, error="This Toggl user has no workspace.")
        entry = {
            "created_with": CREATED_WITH,
            "description": description,
            "duration": -1,
            "start": _stamp(datetime.now(UTC)),
            "workspace_id": workspace,
            "project_id": project_id,
        }
        made = f"{API}/workspaces/{workspace}/time_entries"
        _call(request, who, connection_id, "POST", made, entry)
    except Refused as refused:
        return _back(request, who, connection_id, error=refused.message)
    return _back(request, who, connection_id, message="The timer is running.")


@member_post(router, "/connections/{connection_id}/week/stop")
def stop(request: Request, who: Viewer, fields: dict[str, str], connection_id: str) -> Response:
    if _connection(request, who, connection_id).status != "ACTIVE":
        return see_other(week_path(connection_id))
    try:
        _admit(request, who)
        current = _call(request, who, connection_id, "GET", f"{API}/me/time_entries/current")
        if not isinstance(current, dict):
            return _back(request, who, connection_id, message="No timer was running.")
        workspace, entry = current.get("workspace_id"), current.get("id")
        if not isinstance(workspace, int) or not isinstance(entry, int):
            return _back(request, who, connection_id, error="Toggl's running entry was unclear.")
        path = f"{API}/workspaces/{workspace}/time_entries/{entry}/stop"
        _call(request, who, connection_id, "PATCH", path)
    except Refused as refused:
        return _back(request, who, connection_id, error=refused.message)
    return _back(request, who, connection_id, message="The timer is stopped.")
