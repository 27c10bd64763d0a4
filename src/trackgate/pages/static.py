"""``/static/...``: the one stylesheet and the console's one script, read once from the package.

Served with a fixed content type, ``nosniff`` and a short cache lifetime; the names carry no
version, so a new release is seen within the hour.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from starlette.responses import Response

router = APIRouter(include_in_schema=False)

#: name under /static/ -> content type
ASSETS = {
    "trackgate.css": "text/css; charset=utf-8",
    "copy.js": "text/javascript; charset=utf-8",
}
STYLESHEET = "/static/trackgate.css"
COPY_SCRIPT = "/static/copy.js"


@cache
def asset(name: str) -> bytes:
    return files("trackgate.pages").joinpath("static", name).read_bytes()


def _serve(name: str) -> Response:
    return Response(
        asset(name),
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/static/trackgate.css")
def stylesheet() -> Response:
    return _serve("trackgate.css")


@router.get("/static/copy.js")
def copy_script() -> Response:
    return _serve("copy.js")
