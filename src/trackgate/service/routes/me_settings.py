"""``/me/features`` and ``/me/preferences``: what each workspace offers, and the settings
clients keep for a user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from trackgate.service import preferences
from trackgate.service.access import workspace_ids
from trackgate.service.auth import Caller, current_caller
from trackgate.service.responses import TogglJSON
from trackgate.storage.models import User

router = APIRouter(tags=["me"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
Changes = Annotated[dict[str, Any], Body()]

# What this service offers every workspace, spelled as Toggl's ``me.Feature``; ids are ours.
FEATURES = (
    (0, "free", True),
    (1, "tasks", True),
    (2, "project_users", True),
    (3, "billable_rates", True),
    (4, "reports", True),
    (5, "time_entry_constraints", False),
    (6, "scheduled_reports", False),
)


@router.get("/me/features")
def my_features(caller: CallerDep) -> Response:
    features = [{"feature_id": i, "name": n, "enabled": on} for i, n, on in FEATURES]
    with caller.runtime.db.read() as session:
        wids = workspace_ids(session, caller.user_id)
    return TogglJSON([{"workspace_id": wid, "features": features} for wid in wids])


def _read(caller: Caller, client: str) -> Response:
    with caller.runtime.db.read() as session:
        user = session.get(User, caller.user_id)
        assert user is not None
        return TogglJSON(preferences.read(session, user, client))


def _write(caller: Caller, changes: dict[str, Any], client: str) -> Response:
    with caller.runtime.db.write() as session:
        preferences.write(session, caller.user_id, changes, client)
    return TogglJSON("OK")


@router.get("/me/preferences")
def get_preferences(caller: CallerDep) -> Response:
    return _read(caller, "")


@router.post("/me/preferences")
def set_preferences(caller: CallerDep, changes: Changes) -> Response:
    """Toggl's spec answers a string; "OK" here (its text is unrecorded)."""
    return _write(caller, changes, "")


@router.get("/me/preferences/{client}")
def get_client_preferences(caller: CallerDep, client: str, since: str | None = None) -> Response:
    return _read(caller, preferences.client_name(client))


@router.post("/me/preferences/{client}")
def set_client_preferences(caller: CallerDep, client: str, changes: Changes) -> Response:
    return _write(caller, changes, preferences.client_name(client))
