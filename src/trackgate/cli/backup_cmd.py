"""``trackgate backup`` and ``trackgate restore``: the database copied while it serves, and
put back only with the key its secrets were sealed with."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer

from trackgate.cli.common import (
    USAGE_ERROR,
    DataDirOption,
    fail,
    print_json,
    private_files,
    ready_storage,
    settings_for,
)
from trackgate.config import Settings
from trackgate.crypto import Keyring, SecretKeyError, load_keyring, write_key_file
from trackgate.runtime import database_name, key_source_name
from trackgate.transfer.backup import BackupError
from trackgate.transfer.backup import backup as make_backup
from trackgate.transfer.restore import check_key, expected_fingerprint
from trackgate.transfer.restore import restore as put_back


def _ready(settings: Settings, *, create: bool) -> None:
    """SQLite: the data dir's paths checked (a typo'd one refused); PostgreSQL has none."""
    if settings.is_sqlite:
        ready_storage(settings, create=create)
    else:
        private_files(settings)


def _own_keyring(settings: Settings) -> Keyring | None:
    """The data dir's key (or TRACKGATE_SECRET_KEY), if there is one; never makes one."""
    if not settings.secret_key and not settings.key_file.exists():
        return None
    try:
        return load_keyring(settings.secret_key, settings.key_file, create=False)
    except SecretKeyError as exc:
        fail(str(exc), USAGE_ERROR)


def backup(
    out: Path = typer.Option(..., "--out", metavar="PATH", help="Where to write the backup."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Copy the database while servers keep serving, and its key's fingerprint beside it
    (PATH.key-fingerprint). The key itself is never copied: back it up apart."""
    settings = settings_for(data_dir)
    private_files(settings)  # a missing database is refused by the backup itself
    try:
        made = make_backup(settings, out, _own_keyring(settings))
    except BackupError as exc:
        fail(str(exc), exc.code)
    except OSError as exc:
        fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")
    print_json(
        {
            "backup": str(made.path),
            "database": database_name(settings),
            "key_fingerprint": made.key_fingerprint,
            "fingerprint_file": str(made.fingerprint_file),
            "bytes": made.bytes,
            "seconds": round(made.seconds, 3),
        }
    )


def restore(
    # Described in the docstring: an argument's own help row would show a type tag.
    path: Path = typer.Argument(..., metavar="PATH", hidden=True),
    key_file: Path | None = typer.Option(
        None,
        "--key-file",
        metavar="FILE",
        help="The key the backup was sealed with (default: the data dir's key); copied to "
        "TRACKGATE_KEY_FILE when no key is there yet.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace a database that holds data."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Put the backup PATH (written by `trackgate backup`) in place of the database (stop its
    servers first), after checking that the key given is the one its secrets were sealed with."""
    settings = settings_for(data_dir)
    if not path.is_file():
        fail(f"no backup at {path}", USAGE_ERROR)
    _ready(settings, create=True)
    try:
        own = _own_keyring(settings)
        if key_file is not None:
            try:
                ring = load_keyring(None, key_file, create=False)
            except SecretKeyError as exc:
                fail(f"--key-file {key_file}: {exc}", USAGE_ERROR)
            check_key(path, ring, f"--key-file {key_file}")
            if own is not None:  # the servers will read this one: it must fit as well
                check_key(path, own, key_source_name(settings))
        elif own is not None:
            check_key(path, own, key_source_name(settings))
        else:
            fail(
                f"no key at {settings.key_file} (nor TRACKGATE_SECRET_KEY): give the key the "
                f"backup was sealed with (fingerprint {expected_fingerprint(path)}) with "
                "--key-file",
                USAGE_ERROR,
            )
        put_back(settings, path, force=force)
    except BackupError as exc:
        fail(str(exc), exc.code)
    except (OSError, sqlite3.Error) as exc:
        fail(f"cannot restore {path}: {exc}")
    copied_key = False
    if key_file is not None and own is None:
        write_key_file(settings.key_file, ring.keys)
        copied_key = True
    print_json(
        {
            "restored": str(path),
            "database": database_name(settings),
            "key_fingerprint": expected_fingerprint(path),
            "key_file_written": str(settings.key_file) if copied_key else None,
        }
    )
