"""Each process's hot copies of the mirrors it serves: the states and objects a mirror held at
one version, kept in memory, so that a hit costs one read of one row (the mirror's
:class:`~.store.Mark`) instead of reading every state and object again.

The database stays the source of truth and what a restart starts from. A copy answers only
while the mirror row's mark -- the credential it is bound to, its generation, the version of
its content -- is the copy's own; every change to a mirror, made by any process or replica,
moves the version on (see :func:`~.store.require_bound`, :func:`~.store.mark_dirty`,
:func:`~.store.ensure_mirror`). A copy is read in one transaction that checks the binding before
and after, so it is all of one version. Copies are bounded by bytes, least recently used out
first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from trackgate.shield import store
from trackgate.shield.reads import Held
from trackgate.storage.models import ShieldKind

#: What a copy costs besides its objects' text: states, records, the dictionaries.
_OVERHEAD = 512
_PER_OBJECT = 256


@dataclass(frozen=True)
class Copy:
    """``kinds`` of one mirror at one mark: their states (a kind not held has none; the
    :data:`~.store.UNVERIFIED` row when a reconnect is not checked yet) and objects."""

    mark: store.Mark
    verified: bool
    kinds: frozenset[str]
    states: dict[str, ShieldKind]
    objects: dict[str, list[Held]]
    size: int

    def covers(self, kinds: Iterable[str]) -> bool:
        return self.kinds.issuperset(kinds)

    def joined(self, other: Copy) -> Copy:
        """Both copies' kinds, when both are of the same mark (so of the same content)."""
        return Copy(
            self.mark,
            self.verified,
            self.kinds | other.kinds,
            {**self.states, **other.states},
            {**self.objects, **other.objects},
            self.size + other.size,
        )


def read_copy(session: Session, connection_id: str, kinds: Iterable[str]) -> Copy | None:
    """A copy of ``kinds`` as one read sees them; None when there is no mirror, or it changed
    while it was read (a read on PostgreSQL sees each statement's own snapshot)."""
    wanted = frozenset(kinds)
    before = store.binding(session, connection_id)
    if before is None:
        return None
    states = store.kind_states(session, connection_id, (*wanted, store.UNVERIFIED))
    objects = store.held(session, connection_id, wanted)
    if store.binding(session, connection_id) != before:
        return None
    size = _OVERHEAD + sum(
        _PER_OBJECT + len(held.body) for found in objects.values() for held in found
    )
    return Copy(before.mark, before.verified, wanted, states, objects, size)


class HotCopies:
    """The copies of one process, at most ``budget`` bytes of them."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._copies: OrderedDict[str, Copy] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, connection_id: str, mark: store.Mark, kinds: Iterable[str]) -> Copy | None:
        """The copy of ``kinds`` at ``mark``, if this process holds it."""
        with self._lock:
            copy = self._copies.get(connection_id)
            if copy is None or copy.mark != mark or not copy.covers(kinds):
                return None
            self._copies.move_to_end(connection_id)
            return copy

    def put(self, connection_id: str, copy: Copy) -> None:
        """Keep ``copy``, joined with what is held of the same mark; evict the least recently
        used past the budget (a copy larger than the whole budget is not kept)."""
        with self._lock:
            held = self._copies.pop(connection_id, None)
            if held is not None:
                self._size -= held.size
                if held.mark == copy.mark:
                    copy = held.joined(copy)
            if copy.size > self.budget:
                return
            self._copies[connection_id] = copy
            self._size += copy.size
            while self._size > self.budget:
                _, evicted = self._copies.popitem(last=False)
                self._size -= evicted.size

    def drop(self, connection_id: str) -> None:
        with self._lock:
            held = self._copies.pop(connection_id, None)
            if held is not None:
                self._size -= held.size

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()
            self._size = 0

    @property
    def size(self) -> int:
        return self._size
