"""Names of workspaces, projects, clients and tags, resolved from a small local cache.

The cache is refreshed with Toggl's ``since`` at most every ``max_age`` seconds, so a name
lookup does not spend quota. It is plain data (``dump``/``load``) so a command line can keep it
in a file between runs. Through a gateway with a quota shield the SDK keeps no cache: the
gateway's mirror answers those reads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from trackgate.client.errors import AmbiguousNameError, UnknownNameError

KINDS = ("workspaces", "projects", "clients", "tags")
MAX_AGE = 60.0


def _deleted(item: dict[str, Any]) -> bool:
    return bool(item.get("server_deleted_at") or item.get("deleted_at"))


def _workspace_of(item: dict[str, Any]) -> Any:
    return item.get("workspace_id", item.get("wid"))


@dataclass
class NameCache:
    """Objects by kind and id, with the time of the last refresh of each kind."""

    max_age: float = MAX_AGE
    objects: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    refreshed: dict[str, float] = field(default_factory=dict)

    def since(
        self, kind: str, now: float | None = None, *, any_age: bool = False
    ) -> int | None | bool:
        """False when fresh; else the ``since`` to send (None: a full load). ``any_age``
        asks for the changes even when the copy is fresh (a name it does not know yet)."""
        now = time.time() if now is None else now
        last = self.refreshed.get(kind)
        if last is None:
            return None
        if now - last < self.max_age and not any_age:
            return False
        return int(last) - 5  # a little overlap: clocks and commit order differ

    def merge(self, kind: str, items: list[dict[str, Any]], full: bool, now: float) -> None:
        known = {} if full else self.objects.get(kind, {})
        for item in items:
            if not isinstance(item.get("id"), int):
                continue
            if _deleted(item):
                known.pop(item["id"], None)
            else:
                known[item["id"]] = item
        self.objects[kind] = known
        self.refreshed[kind] = now

    def remember(self, kind: str, item: dict[str, Any]) -> None:
        """An object just written by this client (its own writes read back at once)."""
        if isinstance(item.get("id"), int) and kind in self.objects:
            self.objects[kind][item["id"]] = item

    def forget(self, kind: str, object_id: int) -> None:
        self.objects.get(kind, {}).pop(object_id, None)

    def find(self, kind: str, ref: str | int, workspace_id: int | None = None) -> dict[str, Any]:
        """The one object whose id or name (case-insensitive) is ``ref``."""
        items = [
            item
            for item in self.objects.get(kind, {}).values()
            if workspace_id is None or kind == "workspaces" or _workspace_of(item) == workspace_id
        ]
        text = str(ref).strip()
        if text.isdigit():
            by_id = [item for item in items if item["id"] == int(text)]
            if by_id:
                return by_id[0]
        exact = [item for item in items if item.get("name") == text]
        folded = [item for item in items if str(item.get("name", "")).casefold() == text.casefold()]
        matches = exact or folded
        singular = kind.rstrip("s")
        if not matches:
            raise UnknownNameError(f"no {singular} named {text!r}")
        if len(matches) > 1:
            listed = ", ".join(f"{m.get('name')} (id {m['id']})" for m in matches)
            raise AmbiguousNameError(f"several {kind} match {text!r}: {listed}", matches)
        return matches[0]

    def dump(self) -> dict[str, Any]:
        return {
            "objects": {k: list(v.values()) for k, v in self.objects.items()},
            "refreshed": self.refreshed,
        }

    @classmethod
    def load(cls, data: dict[str, Any], max_age: float = MAX_AGE) -> NameCache:
        cache = cls(max_age=max_age)
        for kind, items in dict(data.get("objects") or {}).items():
            if kind in KINDS and isinstance(items, list):
                cache.objects[kind] = {i["id"]: i for i in items if isinstance(i, dict)}
        for kind, stamp in dict(data.get("refreshed") or {}).items():
            if kind in KINDS and isinstance(stamp, int | float):
                cache.refreshed[kind] = float(stamp)
        return cache
