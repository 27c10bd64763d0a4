"""What one server process holds: settings, database, keyring and in-memory guards.

Built once at start (migrations applied, key checked) and shared by the service and gateway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from trackgate.config import Settings, default_data_dir
from trackgate.crypto import Keyring, SecretKeyError, fingerprint, load_keyring
from trackgate.invalidation import KEYRING, Invalidation, Invalidations
from trackgate.ratelimit import FailureGuard, make_storage
from trackgate.storage.database import Database
from trackgate.storage.migrate import upgrade
from trackgate.storage.models import Meta

log = logging.getLogger("trackgate")

FINGERPRINT_KEY = "secret_key_fingerprint"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    keyring: Keyring
    failures: FailureGuard
    #: what this process caches, and how a change reaches the other processes' caches
    invalidations: Invalidations = field(default_factory=Invalidations)

    def close(self) -> None:
        self.db.dispose()


class KeyNotPresent(SecretKeyError):
    """The database holds data sealed by a key that is not where the settings look for it, or
    a different key is there: a setting to fix (exit 2), and nothing may be written meanwhile
    (above all no new key, which would hide where the right one went)."""


def database_name(settings: Settings) -> str:
    """The database as a person can find it: a file path, or a URL without its password."""
    if settings.is_sqlite:
        return str(settings.data_dir / "trackgate.db")
    return make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)


def key_source_name(settings: Settings) -> str:
    return "TRACKGATE_SECRET_KEY" if settings.secret_key else f"key file {settings.key_file}"


def sealed_with(db: Database) -> str | None:
    """The fingerprint of the key the database's secrets were sealed with, read without
    migrating or writing anything; None for a database that holds none yet."""
    if not inspect(db.engine).has_table(Meta.__tablename__):
        return None
    return stored_fingerprint(db)


def check_key_present(settings: Settings, db: Database) -> None:
    """Refuse, before anything is written, to start a database sealed by a key with no key at
    all where the settings look for one (a lost or moved key file)."""
    if settings.secret_key or settings.key_file.exists():
        return
    expected = sealed_with(db)
    if expected is None:
        return
    raise KeyNotPresent(
        f"the database {database_name(settings)} holds secrets sealed by the key with "
        f"fingerprint {expected}, but there is no key file at {settings.key_file} "
        "(nor TRACKGATE_SECRET_KEY): put that key back there (or set TRACKGATE_KEY_FILE to "
        "it); nothing was written"
    )


def check_key(db: Database, keyring: Keyring, settings: Settings | None = None) -> None:
    """Record the key's fingerprint on first use; refuse a key the data was not written with.

    Processes starting together may race to record it: the loser reads the winner's row.
    """
    try:
        _check_key_once(db, keyring, settings)
    except IntegrityError:
        _check_key_once(db, keyring, settings)


def _check_key_once(db: Database, keyring: Keyring, settings: Settings | None) -> None:
    with db.write() as session:
        row = session.get(Meta, FINGERPRINT_KEY)
        if row is None:
            session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(keyring.primary)))
            return
        if keyring.holds_fingerprint(row.value):
            return
        if settings is None:
            raise SecretKeyError(
                "the secret key does not match the one this database was written with"
            )
        raise KeyNotPresent(
            f"the secret key from {key_source_name(settings)} (fingerprint "
            f"{fingerprint(keyring.primary)}) does not match the one the database "
            f"{database_name(settings)} was written with (fingerprint {row.value})"
        )


def stored_fingerprint(db: Database) -> str | None:
    with db.read() as session:
        return session.scalar(select(Meta.value).where(Meta.key == FINGERPRINT_KEY))


def make_data_dir(settings: Settings) -> None:
    """The data directory: only its last component is made (the default one with its
    parents), so a typo'd path cannot grow a tree of directories."""
    settings.data_dir.mkdir(parents=settings.data_dir == default_data_dir(), exist_ok=True)


def open_database(settings: Settings, *, key_check: bool = False) -> Database:
    """The database, migrated to the current schema. With ``key_check``, a database sealed
    by a key that is not present is refused before the migrations run."""
    if settings.is_sqlite:
        make_data_dir(settings)
    db = Database(settings.sqlalchemy_url)
    if key_check:
        try:
            check_key_present(settings, db)
        except SecretKeyError:
            db.dispose()
            raise
    upgrade(db.engine, settings.data_dir if settings.is_sqlite else None)
    return db


def _key_source(settings: Settings, db: Database) -> Callable[[], tuple[bytes, ...]]:
    """Where a running server reads its keys again after a rotation: the key file, when it
    changed since the last look (the variable cannot change under a running process), and
    only keys that still include the one this database's fingerprint names. Nothing new: ()."""
    last_seen: list[int] = []

    def load() -> tuple[bytes, ...]:
        if settings.secret_key or not settings.key_file.exists():
            return ()
        changed = settings.key_file.stat().st_mtime_ns
        if last_seen == [changed]:
            return ()
        last_seen[:] = [changed]
        ring = load_keyring(settings.secret_key, settings.key_file, create=False)
        stored = stored_fingerprint(db)
        if stored is not None and not ring.holds_fingerprint(stored):
            raise SecretKeyError("the key source holds no key this database was written with")
        return ring.keys

    return load


def _reload_on_rotation(keyring: Keyring) -> Callable[[Invalidation], None]:
    def reload(change: Invalidation) -> None:
        if change.kind == KEYRING:
            keyring.reload()

    return reload


def _record_webhook_events(db: Database) -> None:
    """Every process that writes the service's data writes the webhook events of its changes
    (commands such as ``users create --workspace`` too), for ``serve`` to deliver."""
    from trackgate.service.webhooks import outbox
    from trackgate.service.webhooks.wakeup import WAKEUP

    outbox.install(db.write_sessions, WAKEUP.notify)


def build_runtime(settings: Settings) -> Runtime:
    """Open the database, migrate it, load and check the key. Raises on a wrong key."""
    db = open_database(settings, key_check=True)
    try:
        keyring = load_keyring(settings.secret_key, settings.key_file, create=settings.is_sqlite)
        check_key(db, keyring, settings)
    except SecretKeyError:
        db.dispose()
        raise
    keyring = Keyring(keyring.keys, loader=_key_source(settings, db))
    storage = make_storage(settings.redis_url)
    failures = FailureGuard(storage, settings.auth_failure_limit)
    invalidations = Invalidations()
    invalidations.subscribe(_reload_on_rotation(keyring))
    if settings.redis_url:
        from trackgate.invalidation_bus import RedisAnnouncer

        invalidations.sender = RedisAnnouncer(settings.redis_url)
    _record_webhook_events(db)
    return Runtime(
        settings=settings,
        db=db,
        keyring=keyring,
        failures=failures,
        invalidations=invalidations,
    )
