"""What every command shares: settings from flags, JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

from trackgate.config import Settings, load_settings
from trackgate.crypto import SecretKeyError
from trackgate.runtime import Runtime, build_runtime
from trackgate.service.errors import TogglError

DataDirOption = typer.Option(None, "--data-dir", help="Data directory (default: per-user).")


def setup_logging(level: int = logging.INFO, json_lines: bool = False) -> None:
    if json_lines:
        from trackgate.logformat import JsonFormatter

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=level, handlers=[handler])
    else:
        logging.basicConfig(
            level=level,
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"trackgate: {message}\n")
    raise typer.Exit(code)


def settings_for(data_dir: Path | None, **overrides: object) -> Settings:
    try:
        return load_settings(None, data_dir=data_dir, **overrides)
    except ValueError as exc:
        fail(f"bad setting: {exc}")


@contextmanager
def opened(settings: Settings) -> Iterator[Runtime]:
    """A runtime for one command; known failures become a one-line message and exit 1."""
    try:
        runtime = build_runtime(settings)
    except SecretKeyError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a database that cannot be opened
        fail(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    try:
        yield runtime
    except TogglError as exc:
        fail(exc.message)
    finally:
        runtime.close()
