"""Report arithmetic: periods, rounding up per entry, grouping, billable amounts."""

from __future__ import annotations

from datetime import UTC, date

from trackgate.cli.totals import bar, period, rounded, total
from trackgate.client import TimeEntry


def _entry(**raw: object) -> TimeEntry:
    return TimeEntry.from_raw({"start": "2026-03-02T09:00:00+00:00", **raw})


def test_periods() -> None:
    assert period("week", date(2026, 3, 4)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert period("month", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period("day", date(2026, 2, 10)) == (date(2026, 2, 10), date(2026, 2, 10))


def test_rounding_is_per_entry_and_up() -> None:
    assert rounded(61, 900) == 900 and rounded(900, 900) == 900 and rounded(0, 900) == 0
    entries = [_entry(duration=60, project_name="A"), _entry(duration=60, project_name="A")]
    assert total(entries, "project", UTC, step=900)[0].seconds == 1800


def test_grouping_by_tag_counts_an_entry_once_per_tag_and_prices_billable_time() -> None:
    entries = [
        _entry(duration=3600, tags=["x", "y"], billable=True, project_id=1),
        _entry(duration=1800, tags=[], billable=False),
    ]
    lines = total(entries, "tag", UTC, rate_of=lambda e: (50.0, "EUR") if e.project_id else None)
    by_label = {line.label: line for line in lines}
    assert by_label["x"].seconds == 3600 and by_label["x"].amounts == {"EUR": 50.0}
    assert by_label["(no tag)"].billable_seconds == 0
    assert bar(1800, 3600, width=10) == "█" * 5
