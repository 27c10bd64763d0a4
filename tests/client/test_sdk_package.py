"""The SDK package: its public names, the generated sync client, and no server stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import trackgate.client
from trackgate.client import _unasync


def test_all_is_sorted_and_complete() -> None:
    exported = trackgate.client.__all__
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    public = {n for n in dir(trackgate.client) if not n.startswith("_")}
    modules = {"endpoint", "errors", "models", "names", "payloads", "TYPE_CHECKING", "Any"}
    assert public - modules == set(exported)


def test_sync_client_is_generated_from_the_async_one() -> None:
    expected = _unasync.generate(_unasync.SOURCE.read_text())
    assert Path(_unasync.TARGET).read_text() == expected, "run: python -m trackgate.client._unasync"


def test_async_client_is_imported_on_first_use() -> None:
    code = (
        "import sys, trackgate.client as c; before = 'asyncio' in sys.modules; "
        "c.AsyncToggl; print(before, 'trackgate.client._async_client' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_importing_the_sdk_pulls_in_no_server_dependency() -> None:
    code = (
        "import sys, trackgate.client; "
        "print(sorted(m for m in ('fastapi','sqlalchemy','alembic','starlette','uvicorn',"
        "'pydantic','aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tls_is_verified_for_https_and_not_set_up_for_plain_http() -> None:
    from trackgate.client import Toggl

    with Toggl(api_token="t") as toggl:  # api.track.toggl.com over https
        assert toggl._http._transport._pool._ssl_context.verify_mode.name == "CERT_REQUIRED"
    with Toggl(api_token="t", base_url="http://127.0.0.1:8080/api/v9") as local:
        assert local._http._transport._pool._ssl_context.verify_mode.name == "CERT_NONE"
