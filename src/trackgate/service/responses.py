"""JSON answers spelled as Toggl does: compact, UTF-8, ``application/json; charset=utf-8``."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from trackgate.service.errors import JSON_TYPE


class TogglJSON(Response):
    media_type = JSON_TYPE

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def empty_ok() -> Response:
    """Toggl's 200 with no body (``DELETE`` of a time entry, ``/me/logged``)."""
    return Response(status_code=200)
