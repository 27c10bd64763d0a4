"""What every command shares: settings from flags, JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

from trackgate.config import Settings, default_data_dir, load_settings, variable_for
from trackgate.crypto import SecretKeyError
from trackgate.preflight import check_database_present, check_storage
from trackgate.runtime import KeyNotPresent, Runtime, build_runtime, make_data_dir
from trackgate.service.errors import TogglError
from trackgate.setting_values import SettingError


def option_help(text: str, field: str) -> str:
    """An option's help, naming the TRACKGATE_* variable that sets the same thing."""
    variable = variable_for(field)
    return f"{text} [env: {variable}]" if variable else text


DataDirOption = typer.Option(
    None,
    "--data-dir",
    metavar="DIR",
    help=option_help(f"Data directory (default: {default_data_dir()}).", "data_dir"),
)


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


#: The exit code of a command given a setting it cannot use (as for any usage error).
USAGE_ERROR = 2


def fail(message: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"trackgate: {message}\n")
    raise typer.Exit(code)


def bad_setting(exc: SettingError) -> NoReturn:
    """One line naming the setting and what it expects; exit 2."""
    fail(str(exc), USAGE_ERROR)


def settings_for(data_dir: Path | None, **overrides: object) -> Settings:
    """Settings from TRACKGATE_* variables and these flags; a malformed one ends the command."""
    try:
        return load_settings(None, data_dir=data_dir, **overrides)
    except SettingError as exc:
        bad_setting(exc)


def private_files(settings: Settings) -> None:
    """Files made from now on (the database, its -wal/-shm, keys, logs) are the user's alone;
    an existing data directory other users can open is worth a warning."""
    os.umask(0o077)
    if not settings.is_sqlite:
        return
    try:
        mode = stat.S_IMODE(settings.data_dir.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        sys.stderr.write(
            f"trackgate: warning: other users can open the data directory {settings.data_dir} "
            f"(mode {mode:04o}); make it private with: chmod 700 {settings.data_dir}\n"
        )


def ready_storage(settings: Settings, *, create: bool = False) -> None:
    """Check the paths before anything is written (exit 2 on a bad one) and make the data
    directory private. Only ``create`` (serve, users create, db upgrade, import, restore)
    may start a database in a data directory that holds none; any other command refuses such
    a (typo'd) path."""
    try:
        check_storage(settings)
        if not create:
            check_database_present(settings)
    except SettingError as exc:
        bad_setting(exc)
    private_files(settings)
    if settings.is_sqlite:
        try:
            make_data_dir(settings)
        except OSError as exc:
            fail(
                f"--data-dir (or TRACKGATE_DATA_DIR) {str(settings.data_dir)!r} cannot be made: "
                f"{exc.strerror or exc}",
                USAGE_ERROR,
            )


@contextmanager
def opened(settings: Settings, *, create: bool = False) -> Iterator[Runtime]:
    """A runtime for one command; known failures become a one-line message and exit 1.

    Paths and the key are checked first, so a setting pointing nowhere writes nothing (exit 2).
    """
    ready_storage(settings, create=create)
    try:
        runtime = build_runtime(settings)
    except KeyNotPresent as exc:
        fail(str(exc), USAGE_ERROR)
    except SecretKeyError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a database that cannot be opened
        reason = (str(exc).strip().splitlines() or [""])[0]
        fail(f"cannot open the database: {exc.__class__.__name__}: {reason}")
    try:
        yield runtime
    except TogglError as exc:
        fail(exc.message)
    finally:
        runtime.close()
