"""``trackgate serve``: the service and the gateway on one port."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from trackgate.app import create_app
from trackgate.cli.common import (
    USAGE_ERROR,
    DataDirOption,
    bad_setting,
    fail,
    opened,
    option_help,
    settings_for,
    setup_logging,
)
from trackgate.cli.demo import DemoUnavailable, check_demo_possible, run_demo
from trackgate.preflight import check_port
from trackgate.setting_values import SettingError


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", metavar="ADDRESS", help="Address to listen on."
    ),
    port: str = typer.Option("8080", "--port", metavar="PORT", help="Port to listen on."),
    data_dir: Path | None = DataDirOption,
    upstream: str | None = typer.Option(
        None,
        "--upstream",
        metavar="URL",
        help=option_help(
            "Upstream root for toggl-track, e.g. https://api.track.toggl.com "
            "(default: the embedded service).",
            "upstream_url",
        ),
    ),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        metavar="URL",
        help=option_help(
            "Root URL people use to reach this server, for connect links.", "public_url"
        ),
    ),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Make (once) a demo user, account and connection; print a new demo key and "
        "revoke the previous one.",
    ),
    no_gateway: bool = typer.Option(
        False, "--no-gateway", help="Serve only the Toggl-compatible API."
    ),
    no_service: bool = typer.Option(
        False, "--no-service", help="Serve only the gateway (needs --upstream)."
    ),
    emulate_quota: str | None = typer.Option(
        None,
        "--emulate-quota",
        metavar="N|ORG,USER",
        help=option_help(
            "Emulate Toggl's hourly quota in the service: N, or ORG,USER requests per hour.",
            "emulate_quota",
        ),
    ),
    emulate_rate: str | None = typer.Option(
        None,
        "--emulate-rate",
        metavar="RATE",
        help=option_help(
            "Emulate Toggl's short-term rate limit in the service, e.g. 1/second.",
            "emulate_rate",
        ),
    ),
) -> None:
    """Run the Toggl-compatible service and the gateway.

    Every setting is also read from its TRACKGATE_* variable; a flag wins over the variable.
    """
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
        fail("--no-service needs --upstream (or TRACKGATE_TOGGL_URL)", 2)
    if demo:
        try:
            check_demo_possible(settings)
        except DemoUnavailable as exc:
            fail(str(exc), USAGE_ERROR)
    try:
        check_port(settings.host, settings.port)
    except SettingError as exc:
        bad_setting(exc)
    with opened(settings) as runtime:
        if demo:
            run_demo(runtime)
        app = create_app(runtime)
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            access_log=False,
            log_config=None,
            server_header=False,
            proxy_headers=False,
        )
