"""``trackgate serve``: the service and the gateway on one port."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from trackgate.app import create_app
from trackgate.cli.common import DataDirOption, fail, opened, settings_for, setup_logging


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
    emulate_quota: str | None = typer.Option(
        None,
        "--emulate-quota",
        help="Emulate Toggl's hourly quota in the service: N, or ORG,USER requests per hour.",
    ),
    emulate_rate: str | None = typer.Option(
        None, "--emulate-rate", help="Emulate Toggl's short-term rate limit, e.g. 1/second."
    ),
) -> None:
    """Run the Toggl-compatible service and the gateway."""
    setup_logging()
    settings = settings_for(
        data_dir,
        host=host,
        port=port,
        upstream_url=upstream,
        public_url=public_url,
        service_enabled=not no_service,
        gateway_enabled=not no_gateway,
        emulate_quota=emulate_quota,
        emulate_rate=emulate_rate,
    )
    if no_service and not settings.upstream_url:
        fail("--no-service needs --upstream (or TRACKGATE_TOGGL_URL)")
    with opened(settings) as runtime:
        if demo:
            from trackgate.gateway.demo import run_demo

            run_demo(runtime)
        app = create_app(runtime)
        uvicorn.run(
            app,
            host=host,
            port=port,
            access_log=False,
            log_config=None,
            server_header=False,
            proxy_headers=False,
        )
