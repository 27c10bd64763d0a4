"""Checks on the machine made before anything is written: directories and the listening port.

Each failure is a :class:`SettingError` naming the setting to change, so a mistake costs one
line on the terminal, not a half-made data directory, a key file, or a demo key nobody can use.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from trackgate.config import Settings, default_data_dir
from trackgate.setting_values import SettingError


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def _can_make(directory: Path) -> bool:
    """The directory exists and can be written, or can be made inside one that can."""
    existing = _nearest_existing(directory)
    if not existing.is_dir():
        return False
    if existing == directory:
        return os.access(directory, os.W_OK | os.X_OK)
    return os.access(existing, os.W_OK | os.X_OK)


def _data_dir_usable(directory: Path) -> bool:
    """An existing directory this user can write, or a new one whose parent exists: only the
    last component is made, so a typo'd path fails instead of growing a tree of directories.
    The default (per-user) directory may be made with its parents."""
    if directory.exists():
        return directory.is_dir() and os.access(directory, os.W_OK | os.X_OK)
    if directory == default_data_dir():
        return _can_make(directory)
    parent = directory.parent
    return parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)


def database_file(settings: Settings) -> Path:
    """Where the SQLite database of ``settings`` lives."""
    return settings.data_dir / "trackgate.db"


def check_database_present(settings: Settings) -> None:
    """A SQLite data directory that holds a database: a typo'd ``--data-dir`` is refused
    rather than answered from a new, empty database."""
    if settings.is_sqlite and not database_file(settings).is_file():
        raise SettingError(
            "--data-dir (or TRACKGATE_DATA_DIR)",
            "a directory holding a trackgate database (`trackgate serve` or "
            "`trackgate users create` makes one)",
            str(settings.data_dir),
        )


def check_storage(settings: Settings) -> None:
    """The data directory (SQLite) and the key file's directory can be written, and a key is
    given where one must be (PostgreSQL: every replica needs the same one)."""
    if not settings.is_sqlite and not settings.secret_key:
        raise SettingError(
            "TRACKGATE_SECRET_KEY",
            "set with TRACKGATE_DATABASE_URL (make one with `trackgate secrets generate`; "
            "every server of the database needs the same)",
        )
    if settings.is_sqlite and not _data_dir_usable(settings.data_dir):
        raise SettingError(
            "--data-dir (or TRACKGATE_DATA_DIR)",
            "a directory this user can write (or a new one in an existing directory)",
            str(settings.data_dir),
        )
    if settings.secret_key:
        return
    if settings.key_file.is_dir():
        raise SettingError(
            "TRACKGATE_KEY_FILE", "the path of a file, not a directory", str(settings.key_file)
        )
    if settings.key_file.exists():
        return
    if not _can_make(settings.key_file.parent):
        raise SettingError(
            "TRACKGATE_KEY_FILE",
            "a path in a directory this user can write, for the key made on first run",
            str(settings.key_file),
        )


def check_port(host: str, port: int) -> None:
    """Nothing listens on ``host:port`` yet (the server binds it right after)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SettingError(
                    "--port", f"a free port on {host}; {port} is in use (pick another)"
                ) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise SettingError(
                    "--port", f"a port this user may listen on; {port} is refused"
                ) from None
            raise SettingError(
                "--host", "an address of this machine", f"{host} ({exc.strerror})"
            ) from None
        except socket.gaierror:
            raise SettingError("--host", "an address of this machine", host) from None
