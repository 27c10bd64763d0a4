"""The in-process sliding window counter behind the per-account rate limit."""

from __future__ import annotations

import pytest
from limits import parse

from trackgate import ratelimit
from trackgate.ratelimit import MemorySlidingWindow


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(ratelimit.time, "time", fake)
    return fake


def test_at_most_the_limit_in_one_window_and_per_key(clock: Clock):
    window = MemorySlidingWindow(parse("5/10seconds"))
    assert [window.hit("a") for _ in range(7)] == [True] * 5 + [False] * 2
    assert window.hit("b")  # another account has its own count
    assert clock.now < window.reset_at("a") <= clock.now + 10


def test_the_previous_window_weighs_less_as_time_passes(clock: Clock):
    window = MemorySlidingWindow(parse("10/10seconds"))
    assert all(window.hit("a") for _ in range(10))
    clock.now += 10  # the next window starts: the full previous count still weighs 10
    assert not window.hit("a")
    clock.now += 5  # half the previous window overlaps: about 5 more are allowed
    allowed = sum(window.hit("a") for _ in range(10))
    assert allowed == 5
    clock.now += 20  # both windows are past: a fresh count
    assert sum(window.hit("a") for _ in range(12)) == 10


def test_reset_is_when_a_call_would_pass_again(clock: Clock):
    window = MemorySlidingWindow(parse("4/10seconds"))
    for _ in range(4):
        window.hit("a")
    clock.now += 10
    reset = window.reset_at("a")
    assert clock.now < reset <= clock.now + 10
    clock.now = reset + 0.001
    assert window.hit("a")
