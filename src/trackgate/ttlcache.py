"""A small thread-safe cache whose entries expire: keeps hashing and decryption off hot paths."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self._seconds = seconds
        self._max = max_entries
        self._items: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        # A dict read is atomic: a hit (the hot path) takes no lock.
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            with self._lock:
                if self._items.get(key) is item:
                    del self._items[key]
            return None
        return item[1]

    def get_fresh(self, key: K, ahead: float) -> tuple[V | None, bool]:
        """(the value or None, whether it expires within ``ahead`` seconds): a hot entry can
        be loaded again before it expires, so that no call waits for its reload."""
        item = self._items.get(key)
        if item is None:
            return None, True
        left = item[0] - time.monotonic()
        if left <= 0:
            with self._lock:
                if self._items.get(key) is item:
                    del self._items[key]
            return None, True
        return item[1], left <= ahead

    def put(self, key: K, value: V) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._items) >= self._max:
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
                if len(self._items) >= self._max:
                    self._items.clear()
            self._items[key] = (now + self._seconds, value)

    def discard_where(self, predicate: Callable[[V], bool]) -> None:
        """Drop every entry whose value matches, e.g. all cached look-ups of a revoked key."""
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if not predicate(v[1])}

    def discard_keys_where(self, predicate: Callable[[K], bool]) -> None:
        """Drop every entry whose key matches, e.g. all connection choices of an account."""
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if not predicate(k)}

    def pop(self, key: K) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
