"""Times as people type them, in their zone; DST-ambiguous wall times are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from trackgate.cli.when import TimeInputError, day, duration, moment, zone

BERLIN = zone("Europe/Berlin")
# Wednesday 4 March 2026, 13:00 in Berlin.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("now", "2026-03-04T12:00:00+00:00"),
        ("9:30", "2026-03-04T08:30:00+00:00"),
        ("5pm", "2026-03-04T16:00:00+00:00"),
        ("yesterday", "2026-03-02T23:00:00+00:00"),
        ("yesterday 17:00", "2026-03-03T16:00:00+00:00"),
        ("monday 9:00", "2026-03-02T08:00:00+00:00"),
        ("wednesday 14:00", "2026-02-25T13:00:00+00:00"),  # today 14:00 is still ahead
        ("-2h", "2026-03-04T10:00:00+00:00"),
        ("1h30m ago", "2026-03-04T10:30:00+00:00"),
        ("2026-01-05 09:00", "2026-01-05T08:00:00+00:00"),
        ("2026-01-05T09:00:00+02:00", "2026-01-05T07:00:00+00:00"),
    ],
)
def test_moments(typed: str, expected: str) -> None:
    assert moment(typed, NOW, BERLIN).astimezone(UTC).isoformat() == expected


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("1h30m", 5400), ("90m", 5400), ("1:30", 5400), ("45s", 45), ("1.5h", 5400), ("25", 1500)],
)
def test_durations(typed: str, seconds: int) -> None:
    assert duration(typed) == seconds


def test_days_are_inclusive_and_weekdays_look_back() -> None:
    today = date(2026, 3, 4)
    assert day("monday", today) == date(2026, 3, 2)
    assert day("wed", today) == today
    assert day("-7d", today) == date(2026, 2, 25)


@pytest.mark.parametrize("typed", ["2026-10-25 02:30", "2026-03-29 02:30"])
def test_dst_ambiguous_or_missing_wall_times_are_errors(typed: str) -> None:
    with pytest.raises(TimeInputError, match="DST"):
        moment(typed, NOW, BERLIN)


@pytest.mark.parametrize("typed", ["half past nine", "25:00", "1h30x", ""])
def test_nonsense_is_refused(typed: str) -> None:
    with pytest.raises(TimeInputError):
        duration(typed) if "h" in typed or not typed else moment(typed, NOW, BERLIN)
