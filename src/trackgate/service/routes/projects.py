"""Projects routes (to be filled in)."""

from __future__ import annotations

from fastapi import APIRouter

from trackgate.service.responses import TogglJSON

router = APIRouter(tags=["projects"], default_response_class=TogglJSON)
