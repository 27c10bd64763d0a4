"""Tag routes under ``/workspaces/{wid}/tags``. Create and update answer one tag object,
as the seed shows (the published spec says an array)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from trackgate.service import tags as domain
from trackgate.service import wire
from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.paging import optional_page
from trackgate.service.params import PathId
from trackgate.service.responses import TogglJSON, empty_ok

router = APIRouter(tags=["tags"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/workspaces/{workspace_id}/tags"
MAX_PER_PAGE = 200


def listing(
    caller: Caller, workspace_id: int, page: str | None = None, per_page: str | None = None
) -> list[wire.Json]:
    """``GET /workspaces/{wid}/tags`` (also answered by ``hot_reads``): every live tag by
    name; a page of them when ``page`` or ``per_page`` is given."""
    paging = optional_page(page, per_page, maximum=MAX_PER_PAGE)
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.listed(session, [workspace_id])
    return [wire.tag(t) for t in (paging.of(found) if paging else found)]


@router.get(BASE)
def list_tags(
    caller: CallerDep,
    workspace_id: PathId,
    page: str | None = None,
    per_page: str | None = None,
) -> Response:
    return TogglJSON(listing(caller, workspace_id, page, per_page))


@router.post(BASE)
def create_tag(
    caller: CallerDep, workspace_id: PathId, payload: Annotated[domain.TagPayload, Body()]
) -> Response:
    with caller.runtime.db.write() as session:
        workspace = workspace_for(session, caller.user_id, workspace_id)
        return TogglJSON(wire.tag(domain.create(session, workspace, caller.user_id, payload)))


@router.put(BASE + "/{tag_id}")
def update_tag(
    caller: CallerDep,
    workspace_id: PathId,
    tag_id: PathId,
    payload: Annotated[domain.TagPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, tag_id)
        found = domain.rename(session, caller.user_id, found, payload)
        return TogglJSON(wire.tag(found))


@router.delete(BASE + "/{tag_id}")
def delete_tag(caller: CallerDep, workspace_id: PathId, tag_id: PathId) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        domain.delete(session, caller.user_id, domain.get(session, workspace_id, tag_id))
    return empty_ok()
