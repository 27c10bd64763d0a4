"""Each process's copies of mirrors in memory: kept by mark, joined by kind, bounded by bytes."""

from __future__ import annotations

from trackgate.shield.hot import Copy, HotCopies
from trackgate.shield.reads import Held
from trackgate.shield.store import Mark

MARK = Mark("digest", 0, 1)


def copy(kinds: set[str], mark: Mark = MARK, size: int = 100) -> Copy:
    objects = {k: [Held(1, "{}")] for k in kinds}
    return Copy(mark, True, frozenset(kinds), {}, objects, size)


def test_a_copy_serves_only_its_own_mark_and_kinds() -> None:
    hot = HotCopies(10_000)
    hot.put("c", copy({"me", "tags"}))
    assert hot.get("c", MARK, ["me"]) is not None
    assert hot.get("c", MARK, ["me", "projects"]) is None  # a kind it does not hold
    assert hot.get("c", Mark("digest", 0, 2), ["me"]) is None  # the mirror changed since
    assert hot.get("c", Mark("other", 1, 1), ["me"]) is None  # bound to another credential
    assert hot.get("other", MARK, ["me"]) is None


def test_copies_of_one_mark_join_and_a_new_mark_replaces() -> None:
    hot = HotCopies(10_000)
    hot.put("c", copy({"me"}))
    hot.put("c", copy({"projects"}))
    joined = hot.get("c", MARK, ["me", "projects"])
    assert joined is not None and joined.kinds == {"me", "projects"}
    newer = Mark("digest", 0, 2)
    hot.put("c", copy({"tags"}, newer))
    assert hot.get("c", MARK, ["me"]) is None
    assert hot.get("c", newer, ["tags"]) is not None
    assert hot.size == 100


def test_the_least_recently_used_leave_first_past_the_budget() -> None:
    hot = HotCopies(250)
    hot.put("a", copy({"me"}))
    hot.put("b", copy({"me"}))
    assert hot.get("a", MARK, ["me"]) is not None  # a is used: b is the older now
    hot.put("c", copy({"me"}))
    assert hot.get("b", MARK, ["me"]) is None
    assert hot.get("a", MARK, ["me"]) is not None and hot.get("c", MARK, ["me"]) is not None
    assert hot.size <= 250
    hot.put("huge", copy({"me"}, size=1_000))  # larger than the whole budget: not kept
    assert hot.get("huge", MARK, ["me"]) is None and hot.size <= 250
    hot.drop("a")
    assert hot.get("a", MARK, ["me"]) is None
