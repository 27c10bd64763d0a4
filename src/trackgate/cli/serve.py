"""``trackgate serve``: the service and the gateway on one port."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import typer
import uvicorn
from sqlalchemy import select

from trackgate.access_log import buffer_lines
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
from trackgate.config import ENVIRONMENT, FLAGS, READERS, load_settings
from trackgate.preflight import check_port
from trackgate.runtime import Runtime, build_runtime
from trackgate.setting_values import SettingError

log = logging.getLogger("trackgate")

#: How ``serve`` hands its settings to ``--workers`` processes.
WORKER_SETTINGS = "TRACKGATE_SERVE_WORKER_SETTINGS"
#: On SIGTERM or SIGINT, calls in flight get this long to finish before the process exits.
GRACEFUL_SHUTDOWN_SECONDS = 30


def serve_help(text: str, variable: str) -> str:
    """A flag's help naming the variable read when the flag is not given."""
    return f"{text} [env: {variable}]"


def variables_without_a_flag() -> str:
    """The epilog of ``serve --help``: the settings only a TRACKGATE_* variable sets."""
    lines = ["Settings with no flag, read from the environment only:", ""]
    for name, (field_name, _parse) in READERS.items():
        if field_name not in FLAGS:
            lines.append(f"{name}: {ENVIRONMENT[name]}")
    return "\n\n".join(lines[:1] + ["\b\n" + "\n".join(lines[2:])])


def serve(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        metavar="ADDRESS",
        envvar="TRACKGATE_HOST",
        show_envvar=False,
        help=serve_help("Address to listen on.", "TRACKGATE_HOST"),
    ),
    port: str = typer.Option(
        "8080",
        "--port",
        metavar="PORT",
        envvar="TRACKGATE_PORT",
        show_envvar=False,
        help=serve_help("Port to listen on.", "TRACKGATE_PORT"),
    ),
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
        envvar="TRACKGATE_DEMO",
        show_envvar=False,
        help=serve_help(
            "Make (once) a demo user, account and connection; print a new demo key and "
            "revoke the previous one.",
            "TRACKGATE_DEMO",
        ),
    ),
    no_gateway: bool = typer.Option(
        False,
        "--no-gateway",
        envvar="TRACKGATE_NO_GATEWAY",
        show_envvar=False,
        help=serve_help("Serve only the Toggl-compatible API.", "TRACKGATE_NO_GATEWAY"),
    ),
    no_service: bool = typer.Option(
        False,
        "--no-service",
        envvar="TRACKGATE_NO_SERVICE",
        show_envvar=False,
        help=serve_help("Serve only the gateway (needs --upstream).", "TRACKGATE_NO_SERVICE"),
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
    emulate_webhook_limits: str | None = typer.Option(
        None,
        "--emulate-webhook-limits",
        metavar="PLAN",
        help=option_help(
            "Emulate the webhook limits of Toggl's free, starter or premium plan in the "
            "service (default unlimited).",
            "webhook_limits",
        ),
    ),
    log_format: str = typer.Option(
        "text",
        "--log-format",
        metavar="FORMAT",
        envvar="TRACKGATE_LOG_FORMAT",
        show_envvar=False,
        help=serve_help(
            "Log lines as 'text' or 'json' (one object per line).", "TRACKGATE_LOG_FORMAT"
        ),
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        metavar="N",
        envvar="TRACKGATE_WORKERS",
        show_envvar=False,
        help=serve_help(
            "Server processes on this port (more than 1 needs TRACKGATE_REDIS_URL).",
            "TRACKGATE_WORKERS",
        ),
    ),
) -> None:
    """Run the Toggl-compatible service and the gateway.

    Every setting is also read from its TRACKGATE_* variable; a flag wins over the variable.
    """
    if log_format not in ("text", "json"):
        fail(f"--log-format must be 'text' or 'json', not {log_format!r}", USAGE_ERROR)
    setup_logging(json_lines=log_format == "json")
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
        webhook_limits=emulate_webhook_limits,
    )
    if no_service and not settings.upstream_url:
        fail("--no-service needs --upstream (or TRACKGATE_TOGGL_URL)", 2)
    if workers < 1:
        fail("--workers must be 1 or more", USAGE_ERROR)
    if workers > 1 and not settings.redis_url:
        fail(
            "--workers above 1 needs TRACKGATE_REDIS_URL, so that limits stay per account",
            USAGE_ERROR,
        )
    if demo:
        try:
            check_demo_possible(settings)
        except DemoUnavailable as exc:
            fail(str(exc), USAGE_ERROR)
    try:
        check_port(settings.host, settings.port)
    except SettingError as exc:
        bad_setting(exc)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": False,
        "log_config": None,
        "server_header": False,
        "proxy_headers": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    # Migrates and checks the key once, before any worker.
    with opened(settings, create=True) as runtime:
        if demo:
            run_demo(runtime)
        announce_files(runtime)
        if settings.gateway_enabled:
            announce_console(runtime)
        if workers == 1:
            app = create_app(runtime)
            buffer_lines(sys.stderr, json_lines=log_format == "json")
            freeze_startup_heap()
            uvicorn.run(app, **options)
            return
    # Each worker process builds its own runtime from the same flags and environment.
    os.environ[WORKER_SETTINGS] = json.dumps(
        {
            "data_dir": str(data_dir) if data_dir else None,
            "host": host,
            "port": port,
            "upstream_url": upstream,
            "public_url": public_url,
            "service_enabled": not no_service,
            "gateway_enabled": not no_gateway,
            "emulate_quota": emulate_quota,
            "emulate_rate": emulate_rate,
            "webhook_limits": emulate_webhook_limits,
            "log_json": log_format == "json",
        }
    )
    uvicorn.run(f"{__name__}:worker_app", factory=True, workers=workers, **options)


def announce_files(runtime: Runtime) -> None:
    """Where this server keeps its data and finds its key (never the key), and its docs."""
    from sqlalchemy.engine import make_url

    settings = runtime.settings
    database = make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)
    log.info("data directory %s; database %s", settings.data_dir, database)
    if settings.secret_key:
        log.info("encryption key from TRACKGATE_SECRET_KEY")
    else:
        log.info("encryption key file %s", settings.key_file)
    log.info("API documentation at %s/docs", settings.root_url)


def announce_console(runtime: Runtime) -> None:
    """Where the web console is, and how to make its first operator when there is none."""
    from trackgate.storage.models import ConsoleMember

    root = runtime.settings.root_url
    log.info("web console at %s/console/signin", root)  # a log line: JSON with --log-format json
    with runtime.db.read() as session:
        nobody = session.scalar(select(ConsoleMember.id).limit(1)) is None
    if nobody:
        log.info(
            "no console operator yet; make one with: "
            "trackgate operators create --email you@example.com"
        )


def worker_app() -> Any:
    """The application of one ``--workers`` process (uvicorn calls this in each one)."""
    overrides = json.loads(os.environ[WORKER_SETTINGS])
    json_lines = overrides.pop("log_json")
    setup_logging(json_lines=json_lines)
    if overrides["data_dir"]:
        overrides["data_dir"] = Path(overrides["data_dir"])
    runtime = build_runtime(load_settings(None, **overrides))
    buffer_lines(sys.stderr, json_lines=json_lines)
    app = create_app(runtime)
    freeze_startup_heap()
    return app


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, the app, its routes and models: most of the heap)
    out of the garbage collector's full passes. Unfrozen, each full pass walks all of it: about
    half a second on this code base under load, several times a minute while serving, which
    stalls every call in flight."""
    gc.collect()
    gc.freeze()


serve.__epilog__ = variables_without_a_flag()  # type: ignore[attr-defined]
