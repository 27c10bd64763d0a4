"""What an answer is built from: the objects of the kinds a read asked for, as held after any
refresh, and what the mirror knows of the time entries it holds."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

#: ``covered_from`` once the mirror holds every time entry the account ever had (a kept
#: answer to ``before`` proved it): earlier than any instant Toggl accepts.
ALL_TIME = -1e15


@dataclass(frozen=True)
class Held:
    """One object of the mirror: its upstream text and what the rules look at."""

    object_id: int
    body: str
    position: int = 0
    workspace_id: int | None = None
    start: float | None = None
    at: float | None = None
    deleted: bool = False

    @cached_property
    def value(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass(frozen=True)
class Coverage:
    """What the time entries of a mirror are known to hold (upstream clock)."""

    covered_from: float | None = None
    changes_from: float | None = None


@dataclass
class View:
    """The kinds a read asked for, as held after any refresh."""

    objects: Mapping[str, list[Held]]
    coverage: Coverage = field(default_factory=Coverage)

    def live(self, kind: str) -> list[Held]:
        return sorted((h for h in self.objects.get(kind, []) if not h.deleted), key=_place)

    def by_id(self, kind: str) -> dict[int, Held]:
        return {h.object_id: h for h in self.live(kind)}


def _place(held: Held) -> tuple[int, int]:
    return held.position, held.object_id


Answer = Callable[[View], bytes | None]


def _always(_: Coverage) -> bool:
    return True


@dataclass(frozen=True)
class Read:
    """The kinds a read needs fresh and how to answer it; ``viable`` says beforehand, from
    what the mirror holds of time entries, whether an answer could come of it at all (so no
    refresh is spent on a read that would pass through anyway)."""

    kinds: tuple[str, ...]
    answer: Answer
    viable: Callable[[Coverage], bool] = _always
