"""``GET /me/quota``: what is left of each hourly bucket, in Toggl's shape.

With the emulation off nothing is limited, and the list is empty.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from trackgate.service.access import workspace_ids
from trackgate.service.auth import Caller, current_caller
from trackgate.service.quota import QuotaEmulation
from trackgate.service.responses import TogglJSON
from trackgate.storage.models import Workspace

router = APIRouter(tags=["me"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]


@router.get("/me/quota")
async def my_quota(request: Request, caller: CallerDep) -> Response:
    """The user bucket (``organization_id`` null) first, then one per organization."""
    emulation: QuotaEmulation | None = getattr(request.app.state, "quota_emulation", None)
    if emulation is None or not emulation.counts_quota:
        return TogglJSON([])
    with caller.runtime.db.read() as session:
        wids = workspace_ids(session, caller.user_id)
        query = select(Workspace.organization_id).where(Workspace.id.in_(wids))
        organizations = sorted(set(session.scalars(query)))
    buckets = [await emulation.state(caller.user_id, None)]
    buckets += [await emulation.state(caller.user_id, oid) for oid in organizations]
    return TogglJSON(
        [
            {
                "organization_id": b.organization_id,
                "remaining": b.remaining,
                "resets_in_secs": b.resets_in_secs,
                "total": b.total,
            }
            for b in buckets
        ]
    )
