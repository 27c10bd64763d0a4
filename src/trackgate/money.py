"""Toggl's one rule for billable amounts, for code that prices entries in Python (the CLI's
and the MCP server's reports); the Reports API applies the same rule in SQL
(``reports/source.py``). The rate is taken to whole cents, half up; each entry's amount is
rounded to whole cents, half up, on its own; sums add those cents. Rounding a sum of
unrounded amounts instead can differ by a cent per few entries (30.02 where Toggl says 30.03).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rate_cents(rate: float | str | Decimal) -> int:
    """An hourly rate in whole cents, half up: ``12.345`` -> ``1235``."""
    return int((Decimal(str(rate)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def entry_cents(seconds: int, hourly_cents: int) -> int:
    """What ``seconds`` earn at ``hourly_cents`` an hour, in whole cents, half up."""
    return (max(seconds, 0) * hourly_cents + 1800) // 3600


def as_amount(cents: int) -> float:
    """Cents as the decimal amount JSON carries: ``3003`` -> ``30.03``."""
    return round(cents / 100, 2)
