"""Reading Toggl's detailed report CSV: columns found by their header in any order, dates and
times in the exporting user's zone (daylight saving included), Yes/No in Toggl's languages.

Each row becomes a :class:`CsvRow` or a :class:`RowError` naming its line; nothing is written
here."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from trackgate.csv_cells import FORMULA_LEADS

#: Billable cells as Toggl writes them in its interface languages.
YES = {"yes", "y", "true", "1", "はい", "ja", "oui", "sí", "si", "sim", "да", "tak", "是"}
NO = {"no", "n", "false", "0", "", "いいえ", "nein", "non", "não", "nao", "нет", "nie", "否"}

#: Header (lowercased) -> field; Toggl has called the person "User" and "Member".
HEADERS = {
    "user": "user",
    "member": "user",
    "email": "email",
    "client": "client",
    "project": "project",
    "task": "task",
    "description": "description",
    "billable": "billable",
    "start date": "start_date",
    "start time": "start_time",
    "end date": "end_date",
    "end time": "end_time",
    "duration": "duration",
    "tags": "tags",
}
REQUIRED = ("email", "start_date", "start_time")


class CsvFileError(Exception):
    """A file the import cannot read at all (no header it knows, not text)."""


@dataclass(slots=True)
class CsvRow:
    line: int
    user: str
    email: str
    client: str
    project: str
    task: str
    description: str
    billable: bool
    start: datetime
    stop: datetime
    tags: list[str]


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    error: str


def _text(value: str) -> str:
    """A cell as typed: the ``'`` that guards a formula-like cell in exports comes off."""
    value = value.strip()
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_LEADS:
        return value[1:]
    return value


def parse_day(value: str) -> date:
    value = value.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    for spelling in ("%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, spelling).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {value!r}")


def parse_clock(value: str) -> time:
    value = value.strip()
    try:
        return time.fromisoformat(value)
    except ValueError:
        pass
    for spelling in ("%I:%M:%S %p", "%I:%M %p"):
        try:
            return datetime.strptime(value.upper(), spelling).time()
        except ValueError:
            continue
    raise ValueError(f"unreadable time {value!r}")


def parse_duration(value: str) -> timedelta:
    """``H:MM:SS`` (hours past 24 too), or decimal hours as Toggl's decimal format writes."""
    value = value.strip()
    parts = value.split(":")
    try:
        if len(parts) == 3:
            h, m, s = (int(p) for p in parts)
            if h >= 0 and 0 <= m < 60 and 0 <= s < 60:
                return timedelta(hours=h, minutes=m, seconds=s)
        elif len(parts) == 1 and value:
            hours = float(value.replace(",", "."))
            if hours >= 0:
                return timedelta(seconds=round(hours * 3600))
    except ValueError:
        pass
    raise ValueError(f"unreadable duration {value!r}")


def _flag(value: str) -> bool:
    folded = value.strip().casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValueError(f"Billable must be Yes or No, not {value!r}")


def _local(day: date, clock: time, zone: ZoneInfo, fold: int = 0) -> datetime:
    """A wall-clock time in ``zone`` as UTC; ``fold=1`` picks the second of an hour that
    happens twice (the night clocks go back)."""
    return datetime.combine(day, clock, tzinfo=zone).replace(fold=fold).astimezone(UTC)


def _open(path: Path) -> TextIO:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        handle.read(4096)
        handle.seek(0)
    except UnicodeDecodeError:
        raise CsvFileError(f"{path} is not UTF-8 text (a Toggl CSV is)") from None
    except OSError as exc:
        raise CsvFileError(f"cannot read {path}: {exc.strerror}") from None
    return handle


def read_rows(path: Path, zone: ZoneInfo) -> Iterator[CsvRow | RowError]:
    with _open(path) as handle:
        first = handle.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            raise CsvFileError(f"{path} is empty") from None
        places = {
            HEADERS[h.strip().lower()]: i
            for i, h in enumerate(header)
            if h.strip().lower() in HEADERS
        }
        missing = [f for f in REQUIRED if f not in places]
        if "end_time" not in places and "duration" not in places:
            missing.append("end_time or duration")
        if missing:
            names = ", ".join(m.replace("_", " ").capitalize() for m in missing)
            raise CsvFileError(f"{path}: not a Toggl detailed report CSV (no {names} column)")
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowError(line, f"malformed CSV: {exc}")
                return
            here, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            yield _row(here, cells, places, zone)


def _row(line: int, cells: list[str], places: dict[str, int], zone: ZoneInfo) -> CsvRow | RowError:
    def cell(name: str) -> str:
        at = places.get(name)
        return cells[at] if at is not None and at < len(cells) else ""

    try:
        email = _text(cell("email"))
        if "@" not in email:
            raise ValueError(f"no e-mail address in Email ({email!r})")
        start_day = parse_day(cell("start_date"))
        start = _local(start_day, parse_clock(cell("start_time")), zone)
        if cell("end_time").strip():
            end_day = parse_day(cell("end_date")) if cell("end_date").strip() else start_day
            stop = _local(end_day, parse_clock(cell("end_time")), zone)
            if stop < start:  # ended in the repeated hour, after the clocks went back
                stop = max(stop, _local(end_day, parse_clock(cell("end_time")), zone, fold=1))
            if stop < start and not cell("end_date").strip():
                stop = _local(end_day + timedelta(days=1), parse_clock(cell("end_time")), zone)
        else:
            stop = start + parse_duration(cell("duration"))
        if stop < start:
            raise ValueError("ends before it starts")
        tags = [t for t in (_text(x) for x in cell("tags").split(",")) if t]
        return CsvRow(
            line=line,
            user=_text(cell("user")),
            email=email.lower(),
            client=_text(cell("client")),
            project=_text(cell("project")),
            task=_text(cell("task")),
            description=_text(cell("description")),
            billable=_flag(cell("billable")),
            start=start,
            stop=stop,
            tags=tags,
        )
    except ValueError as exc:
        return RowError(line, str(exc))
