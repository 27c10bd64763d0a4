"""``/console/...``: the web console's handlers, assembled into the one router the app
mounts (before the proxy's catch-all).

Every page needs a live session (else a 303 to the sign-in page); every POST checks a CSRF
token bound to the session (or, before sign-in, to a form cookie) and answers with a 303 to a
relative console URL. An id of another account's key or connection is answered 404, exactly
like an unknown one. Keys and connections are made, renamed, revoked and deleted by the same
functions the command line and the control API call. ``common`` holds what the handlers
share; ``signin``, ``keys``, ``connections`` and ``admin`` hold the handlers by job.
"""

from __future__ import annotations

from fastapi import APIRouter

from trackgate.pages.console import admin, connections, keys, signin, team, week

router = APIRouter(include_in_schema=False)
for _part in (signin, keys, connections, week, team, admin):
    router.include_router(_part.router, prefix="/console")
