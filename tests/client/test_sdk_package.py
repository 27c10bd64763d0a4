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
    public = {n for n in vars(trackgate.client) if not n.startswith("_")}
    modules = {"endpoint", "errors", "models", "names", "payloads"}
    assert public - modules == set(exported)


def test_sync_client_is_generated_from_the_async_one() -> None:
    expected = _unasync.generate(_unasync.SOURCE.read_text())
    assert Path(_unasync.TARGET).read_text() == expected, "run: python -m trackgate.client._unasync"


def test_importing_the_sdk_pulls_in_no_server_dependency() -> None:
    code = (
        "import sys, trackgate.client; "
        "print(sorted(m for m in ('fastapi','sqlalchemy','alembic','starlette','uvicorn',"
        "'pydantic','aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
