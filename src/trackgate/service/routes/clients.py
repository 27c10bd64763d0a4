"""Client routes under ``/workspaces/{wid}/clients``: list, read, write, archive, restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from trackgate.service import clients as domain
from trackgate.service import wire
from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.params import PathId
from trackgate.service.responses import TogglJSON

router = APIRouter(tags=["clients"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/workspaces/{workspace_id}/clients"


def listing(
    caller: Caller, workspace_id: int, status: str | None = None, name: str | None = None
) -> list[wire.Json]:
    """``GET /workspaces/{wid}/clients`` (also answered by ``hot_reads``)."""
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        return [wire.client(c) for c in domain.listed(session, workspace_id, status, name)]


@router.get(BASE)
def list_clients(
    caller: CallerDep, workspace_id: PathId, status: str | None = None, name: str | None = None
) -> Response:
    return TogglJSON(listing(caller, workspace_id, status, name))


@router.post(BASE)
def create_client(
    caller: CallerDep, workspace_id: PathId, payload: Annotated[domain.ClientPayload, Body()]
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        made = domain.create(session, workspace_id, caller.user_id, payload)
        return TogglJSON(wire.client(made))


def one(caller: Caller, workspace_id: int, client_id: int) -> wire.Json:
    """``GET /workspaces/{wid}/clients/{cid}`` (also answered by ``hot_reads``)."""
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        return wire.client(domain.get(session, workspace_id, client_id))


@router.get(BASE + "/{client_id}")
def get_client(caller: CallerDep, workspace_id: PathId, client_id: PathId) -> Response:
    return TogglJSON(one(caller, workspace_id, client_id))


@router.put(BASE + "/{client_id}")
def update_client(
    caller: CallerDep,
    workspace_id: PathId,
    client_id: PathId,
    payload: Annotated[domain.ClientPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, client_id)
        found = domain.update(session, caller.user_id, found, payload)
        return TogglJSON(wire.client(found))


@router.delete(BASE + "/{client_id}")
def delete_client(caller: CallerDep, workspace_id: PathId, client_id: PathId) -> Response:
    """Answers the deleted client's id (the spec's ``number``)."""
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        domain.delete(session, caller.user_id, domain.get(session, workspace_id, client_id))
    return TogglJSON(client_id)


@router.post(BASE + "/{client_id}/archive")
def archive_client(caller: CallerDep, workspace_id: PathId, client_id: PathId) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, client_id)
        archived = domain.archive(session, caller.user_id, found)
    return TogglJSON(archived)


@router.post(BASE + "/{client_id}/restore")
def restore_client(
    caller: CallerDep,
    workspace_id: PathId,
    client_id: PathId,
    payload: Annotated[domain.RestorePayload | None, Body()] = None,
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, client_id)
        restored = domain.restore(
            session, caller.user_id, found, payload or domain.RestorePayload()
        )
        return TogglJSON(wire.client(restored))
