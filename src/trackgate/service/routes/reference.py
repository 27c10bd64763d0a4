"""Small look-ups clients make at start: time zones, the caller's id, a workspace's
currencies and time entry constraints."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends
from sqlalchemy import select
from starlette.responses import Response

from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.params import PathId
from trackgate.service.responses import TogglJSON
from trackgate.storage.models import Project

router = APIRouter(tags=["reference"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
TIMEZONES = sorted(available_timezones())


@router.get("/timezones")
def timezones(caller: CallerDep) -> Response:
    """The IANA names ``PUT /me`` accepts (with credentials, as every path of the service)."""
    return TogglJSON(TIMEZONES)


@router.get("/me/id")
def my_id(caller: CallerDep) -> Response:
    return TogglJSON(caller.user_id)


@router.get("/workspaces/{workspace_id}/currencies")
def workspace_currencies(caller: CallerDep, workspace_id: PathId) -> Response:
    """The workspace's default currency, then the others its projects use."""
    with caller.runtime.db.read() as session:
        ws = workspace_for(session, caller.user_id, workspace_id)
        used = session.scalars(
            select(Project.currency)
            .where(Project.workspace_id == workspace_id, Project.currency.is_not(None))
            .distinct()
        )
        others = sorted({c for c in used if c and c != ws.default_currency})
        return TogglJSON([ws.default_currency, *others])


@router.get("/workspaces/{workspace_id}/time_entry_constraints")
def time_entry_constraints(caller: CallerDep, workspace_id: PathId) -> Response:
    """None are enforced here."""
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
    return TogglJSON(
        {
            "description_present": False,
            "project_present": False,
            "tag_present": False,
            "task_present": False,
            "time_entry_constraints_enabled": False,
        }
    )
