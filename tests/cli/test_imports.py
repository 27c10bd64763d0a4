"""The tracking commands start fast: importing them never loads the server stack."""

from __future__ import annotations

import subprocess
import sys

SERVER_STACK = ("fastapi", "sqlalchemy", "alembic", "starlette", "uvicorn", "aiohttp")
TRACKING = (
    "trackgate.cli.main",
    "trackgate.cli.timer",
    "trackgate.cli.entries",
    "trackgate.cli.catalog",
    "trackgate.cli.report",
    "trackgate.cli.quota",
    "trackgate.cli.sync",
    "trackgate.cli.connections",
    "trackgate.cli.config_cmd",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(','.join(m for m in {SERVER_STACK!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in done.stdout.strip().split(",") if m]


def test_importing_the_tracking_commands_loads_no_server_stack() -> None:
    assert _loaded_after("\n".join(f"import {m}" for m in TRACKING)) == []


def test_help_and_version_load_no_command_module() -> None:
    code = (
        "import contextlib, io\n"
        "from trackgate.cli.main import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        app(['--help'])\n    except SystemExit:\n        pass\n"
        "assert 'trackgate.cli.timer' not in sys.modules and 'rich' not in sys.modules\n"
    )
    assert _loaded_after(code) == []


def test_serve_still_loads_its_stack() -> None:
    assert "fastapi" in _loaded_after("import trackgate.cli.serve")
