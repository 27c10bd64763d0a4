"""What a change to a key, an account or a connection means to the caches of every process.

A process keeps verified keys, connection choices and decrypted credentials in memory for a
few seconds (:data:`trackgate.gateway.auth.REVOCATION_SECONDS`). Whoever changes one of them
*announces* an :class:`Invalidation` after committing it: the caches of this process drop
the entry at once, and the announcement is sent to every other process (see
:mod:`trackgate.invalidation_bus`, through Redis). The caches' own expiry stays the bound
when a message is lost.

A cache loaded from the database while an invalidation arrived may hold what was read before
the change: loaders note :attr:`Invalidations.generation` before reading and keep what they
read only if it has not moved since (:meth:`Invalidations.unchanged_since`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("trackgate.invalidation")

#: A gateway key was revoked: ``id`` is its key id.
KEY = "key"
#: Every key of a gateway account was revoked: ``id`` is the account id.
ACCOUNT = "account"
#: A connection was deleted, re-connected or marked FAILED: ``id`` is the connection id,
#: ``account_id`` its account (whose default connection may now be another).
CONNECTION = "connection"
#: Anything may have changed (announcements may have been missed): drop every entry.
EVERYTHING = "everything"
#: The encryption key was rotated: read the keys again (the key file now holds the new one).
KEYRING = "keyring"

KINDS = frozenset({KEY, ACCOUNT, CONNECTION, EVERYTHING, KEYRING})


@dataclass(frozen=True)
class Invalidation:
    kind: str
    id: str = ""
    account_id: str | None = None


Handler = Callable[[Invalidation], None]
Sender = Callable[[Invalidation], None]


class Invalidations:
    """The invalidations of one process: who drops what, and where announcements go."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._lock = threading.Lock()
        self._generation = 0
        #: sends an announcement to the other processes; None when there is no Redis
        self.sender: Sender | None = None

    @property
    def generation(self) -> int:
        """Moves on every invalidation applied in this process."""
        return self._generation

    def unchanged_since(self, generation: int) -> bool:
        return self._generation == generation

    def subscribe(self, handler: Handler) -> None:
        """``handler`` drops what an invalidation makes wrong in one cache; it must be quick
        and safe to call from any thread."""
        with self._lock:
            self._handlers.append(handler)

    def apply(self, change: Invalidation) -> None:
        """Drop what ``change`` makes wrong in this process's caches."""
        with self._lock:
            self._generation += 1
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler(change)
            except Exception:  # noqa: BLE001 - one cache's failure must not keep others stale
                log.exception("a cache failed to drop %s %s", change.kind, change.id)

    def announce(self, change: Invalidation) -> None:
        """After committing a change: drop it here at once, and tell the other processes."""
        self.apply(change)
        sender = self.sender
        if sender is not None:
            sender(change)

    def forget_everything(self) -> None:
        self.apply(Invalidation(EVERYTHING))
