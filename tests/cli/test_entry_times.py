"""``add`` reads a stop as people mean it: a bare time is on the start's day, a range on
``--start`` is a start and a stop, and an entry over 24 hours is asked about (or refused
without a terminal) rather than kept silently. The SDK refuses one unless ``allow_long``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import Terminal, terminal_for
from tests.conftest import LiveServer
from trackgate.client import LongEntryError, Toggl


@pytest.fixture
def direct(server: LiveServer, tmp_path: Path) -> Terminal:
    return terminal_for(server, "direct", tmp_path / "home")


def test_a_bare_stop_is_on_the_start_day(direct: Terminal) -> None:
    added = direct.json("add", "Y", "--start", "yesterday 9:00", "--stop", "11:00")
    assert added["duration"] == 2 * 3600
    night = direct.json("add", "N", "--start", "yesterday 22:00", "--stop", "1:30")
    assert night["duration"] == 3 * 3600 + 1800  # ends the next morning


def test_a_range_on_start_is_a_start_and_a_stop(direct: Terminal) -> None:
    whole = direct.json("add", "R", "--start", "yesterday 9-11")
    assert whole["duration"] == 2 * 3600
    half = direct.json("add", "H", "--start", "yesterday 9:30-11")
    assert half["duration"] == 5400
    assert half["start"][:10] == whole["start"][:10]
    both = direct.run("add", "X", "--start", "9-11", "--stop", "12:00")
    assert both.returncode == 2 and len(both.stderr.strip().splitlines()) == 1


def test_an_entry_over_a_day_needs_force(direct: Terminal) -> None:
    long = direct.run("add", "L", "--start", "yesterday 9:00", "--stop", "today 11:00")
    assert long.returncode == 2 and long.stdout == ""
    line = long.stderr.strip()
    assert len(line.splitlines()) == 1 and "over 24 h" in line and "--force" in line
    assert direct.json("ls") == []
    kept = direct.json("add", "L", "--start", "yesterday 9:00", "--stop", "today 11:00", "--force")
    assert kept["duration"] == 26 * 3600
    by_length = direct.run("add", "D", "--start", "yesterday 9:00", "--duration", "25h")
    assert by_length.returncode == 2


def test_the_sdk_refuses_an_entry_over_a_day(direct: Terminal) -> None:
    url, token = direct.env["TOGGL_API_URL"], direct.env["TOGGL_API_TOKEN"]
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
    with Toggl(api_token=token, base_url=url) as toggl:
        wid = direct.workspace_id
        with pytest.raises(LongEntryError, match="allow_long"):
            toggl.time_entries.create(wid, start=began, duration=25 * 3600)
        with pytest.raises(LongEntryError):
            toggl.time_entries.create(wid, start=began, stop=began + timedelta(hours=25))
        assert toggl.time_entries.list() == []
        kept = toggl.time_entries.create(wid, start=began, duration=25 * 3600, allow_long=True)
        day = toggl.time_entries.create(wid, start=began, duration=24 * 3600)
    assert kept.duration == 25 * 3600 and day.duration == 24 * 3600


def test_a_billable_project_makes_new_entries_billable(direct: Terminal) -> None:
    direct.json("projects", "add", "Paid", "--billable")
    direct.json("projects", "add", "Free")
    direct.json("projects", "edit", "Free", "--no-billable")
    started = direct.json("start", "work", "-p", "Paid")
    added = direct.json("add", "more", "--start", "-3h", "--duration", "1h", "-p", "Paid")
    free = direct.json("add", "free", "--start", "-3h", "--duration", "1h", "-p", "Free")
    assert started["billable"] is True and added["billable"] is True
    assert free["billable"] is False


def test_an_edit_over_a_day_needs_force(direct: Terminal) -> None:
    added = direct.json("add", "E", "--start", "yesterday 9-11")
    ref = str(added["id"])
    moved = direct.run("edit", ref, "--stop", "today 11:00")
    assert moved.returncode == 2 and "over 24 h" in moved.stderr and "--force" in moved.stderr
    longer = direct.run("edit", ref, "--duration", "25h")
    assert longer.returncode == 2
    assert direct.json("ls")[0]["duration"] == 7200  # unchanged
    kept = direct.json("edit", ref, "--stop", "today 11:00", "--force")
    assert kept["duration"] == 26 * 3600


def test_the_sdk_refuses_an_update_over_a_day(direct: Terminal) -> None:
    url, token = direct.env["TOGGL_API_URL"], direct.env["TOGGL_API_TOKEN"]
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
    with Toggl(api_token=token, base_url=url) as toggl:
        wid = direct.workspace_id
        made = toggl.time_entries.create(wid, start=began, duration=3600)
        assert made.id is not None
        with pytest.raises(LongEntryError):
            toggl.time_entries.update(wid, made.id, duration=25 * 3600)
        kept = toggl.time_entries.update(wid, made.id, duration=25 * 3600, allow_long=True)
    assert kept.duration == 25 * 3600
