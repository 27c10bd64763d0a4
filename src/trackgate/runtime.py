"""What one server process holds: settings, database, keyring and in-memory guards.

Built once at start (migrations applied, key checked) and shared by the service and gateway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trackgate.config import Settings
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


def check_key(db: Database, keyring: Keyring) -> None:
    """Record the key's fingerprint on first use; refuse a key the data was not written with.

    Processes starting together may race to record it: the loser reads the winner's row.
    """
    try:
        _check_key_once(db, keyring)
    except IntegrityError:
        _check_key_once(db, keyring)


def _check_key_once(db: Database, keyring: Keyring) -> None:
    with db.write() as session:
        row = session.get(Meta, FINGERPRINT_KEY)
        if row is None:
            session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(keyring.primary)))
            return
        if not keyring.holds_fingerprint(row.value):
            raise SecretKeyError(
                "the secret key does not match the one this database was written with"
            )


def stored_fingerprint(db: Database) -> str | None:
    with db.read() as session:
        return session.scalar(select(Meta.value).where(Meta.key == FINGERPRINT_KEY))


def open_database(settings: Settings) -> Database:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.sqlalchemy_url)
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
    db = open_database(settings)
    keyring = load_keyring(settings.secret_key, settings.key_file, create=settings.is_sqlite)
    check_key(db, keyring)
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
