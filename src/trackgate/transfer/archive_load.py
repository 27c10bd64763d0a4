"""Reading an archive back into an empty database, with the key its tokens were sealed with.

Nothing is half-written: the rows go in one transaction, and the key, the schema and the
emptiness of the target are checked before the first one.
"""

from __future__ import annotations

from pathlib import Path

from trackgate.config import Settings
from trackgate.crypto import SecretKeyError, fingerprint, load_keyring
from trackgate.preflight import check_storage
from trackgate.runtime import (
    FINGERPRINT_KEY,
    KeyNotPresent,
    build_runtime,
    database_name,
    key_source_name,
)
from trackgate.setting_values import SettingError
from trackgate.storage.migrate import known_revisions
from trackgate.storage.models import Meta
from trackgate.transfer.archive import ArchiveError, load_rows, non_empty_tables, read_header


class ArchiveRefused(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _check_key(settings: Settings, expected: str | None) -> None:
    if expected is None:
        return
    if not settings.secret_key and not settings.key_file.exists():
        raise ArchiveRefused(
            f"the archive's API tokens are sealed by the key with fingerprint {expected}: "
            f"copy that key file to {settings.key_file} (or set TRACKGATE_KEY_FILE to it) first",
            2,
        )
    try:
        ring = load_keyring(settings.secret_key, settings.key_file, create=False)
    except SecretKeyError as exc:
        raise ArchiveRefused(str(exc), 2) from exc
    if not ring.holds_fingerprint(expected):
        raise ArchiveRefused(
            f"the archive needs the key with fingerprint {expected}, but the key from "
            f"{key_source_name(settings)} has fingerprint {fingerprint(ring.primary)}",
            2,
        )


def import_archive(settings: Settings, path: Path) -> dict[str, int]:
    """Rows per table read into the settings' database."""
    try:
        check_storage(settings)
    except SettingError as exc:
        raise ArchiveRefused(str(exc), 2) from exc
    try:
        return _import(settings, path)
    except UnicodeDecodeError as exc:
        raise ArchiveRefused(f"{path}: not a trackgate archive (not UTF-8 text)", 2) from exc


def _import(settings: Settings, path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8") as handle:
        lines = iter(handle)
        try:
            header = read_header(lines)
        except ArchiveError as exc:
            raise ArchiveRefused(f"{path}: {exc}", 2) from exc
        if header.schema is not None and header.schema not in known_revisions():
            raise ArchiveRefused(
                f"{path} was written at schema {header.schema}, which this version of "
                "trackgate does not know: import it with the version that wrote it (or newer)",
                2,
            )
        _check_key(settings, header.key_fingerprint)
        try:
            runtime = build_runtime(settings)
        except KeyNotPresent as exc:
            raise ArchiveRefused(str(exc), 2) from exc
        except SecretKeyError as exc:
            raise ArchiveRefused(str(exc)) from exc
        try:
            with runtime.db.write() as session:
                filled = non_empty_tables(session)
                if filled:
                    raise ArchiveRefused(
                        f"the database {database_name(settings)} is not empty ({filled[0]} "
                        "holds rows): an archive is read into an empty one",
                        2,
                    )
                try:
                    counts = load_rows(session, lines)
                except ArchiveError as exc:
                    raise ArchiveRefused(f"{path}: {exc}; nothing was imported", 2) from exc
                if header.key_fingerprint is not None:
                    row = session.get(Meta, FINGERPRINT_KEY)
                    if row is not None:
                        row.value = header.key_fingerprint
        finally:
            runtime.close()
    return counts
