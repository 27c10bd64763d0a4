"""``trackgate serve``: the service and the gateway on one port."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
import uvicorn

from trackgate.access_log import buffer_lines
from trackgate.app import create_app
from trackgate.cli.common import DataDirOption, fail, opened, settings_for, setup_logging
from trackgate.config import load_settings
from trackgate.runtime import build_runtime

#: How ``serve`` hands its settings to ``--workers`` processes.
WORKER_SETTINGS = "TRACKGATE_SERVE_WORKER_SETTINGS"
#: On SIGTERM or SIGINT, calls in flight get this long to finish before the process exits.
GRACEFUL_SHUTDOWN_SECONDS = 30


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    data_dir: Path | None = DataDirOption,
    upstream: str | None = typer.Option(
        None, "--upstream", help="Upstream root for toggl-track, e.g. https://api.track.toggl.com."
    ),
    public_url: str | None = typer.Option(
        None, "--public-url", help="Root URL people use to reach this server (connect links)."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Make a demo user, account, key and connection."
    ),
    no_gateway: bool = typer.Option(
        False, "--no-gateway", help="Serve only the Toggl-compatible API."
    ),
    no_service: bool = typer.Option(False, "--no-service", help="Serve only the gateway."),
    log_format: str = typer.Option(
        "text", "--log-format", help="Log lines as 'text' or 'json' (one object per line)."
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Server processes on this port (more than 1 needs Redis)."
    ),
) -> None:
    """Run the Toggl-compatible service and the gateway."""
    if log_format not in ("text", "json"):
        fail(f"--log-format must be 'text' or 'json', not {log_format!r}", 2)
    setup_logging(json_lines=log_format == "json")
    overrides: dict[str, Any] = {
        "host": host,
        "port": port,
        "upstream_url": upstream,
        "public_url": public_url,
        "service_enabled": not no_service,
        "gateway_enabled": not no_gateway,
    }
    settings = settings_for(data_dir, **overrides)
    if no_service and not settings.upstream_url:
        fail("--no-service needs --upstream (or TRACKGATE_TOGGL_URL)")
    if workers > 1 and not settings.redis_url:
        fail("--workers above 1 needs TRACKGATE_REDIS_URL, so that limits stay per account", 2)
    with opened(settings) as runtime:  # migrates and checks the key once, before any worker
        if demo:
            from trackgate.gateway.demo import run_demo

            run_demo(runtime)
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "access_log": False,
            "log_config": None,
            "server_header": False,
            "proxy_headers": False,
            "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        }
        if workers == 1:
            app = create_app(runtime)
            buffer_lines(sys.stderr, json_lines=log_format == "json")
            uvicorn.run(app, **options)
            return
    # Each worker process builds its own runtime from the same settings.
    os.environ[WORKER_SETTINGS] = json.dumps(
        {**overrides, "data_dir": str(settings.data_dir), "log_json": log_format == "json"}
    )
    uvicorn.run(f"{__name__}:worker_app", factory=True, workers=workers, **options)


def worker_app() -> Any:
    """The application of one ``--workers`` process (uvicorn calls this in each one)."""
    overrides = json.loads(os.environ[WORKER_SETTINGS])
    json_lines = overrides.pop("log_json")
    setup_logging(json_lines=json_lines)
    settings = load_settings(None, **{**overrides, "data_dir": Path(overrides["data_dir"])})
    runtime = build_runtime(settings)
    buffer_lines(sys.stderr, json_lines=json_lines)
    return create_app(runtime)
