"""Never lose a timer: a start or stop that meets a spent quota (402) or a dropped connection
is journaled, shown by ``now`` as not yet sent, and replayed in order by ``sync`` or by the
next command that reaches the server. The CLI talks to a loopback switch in front of the
live service that plays the failures."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.cli.conftest import Switch, Terminal, terminal_for
from tests.conftest import LiveServer


def _through(switch: Switch, server: LiveServer, home: Path) -> Terminal:
    terminal = terminal_for(server, "direct", home)
    terminal.env["TOGGL_API_URL"] = f"{switch.url}/api/v9"
    terminal.subprocess = True  # each change in a process of its own, as a person types them
    return terminal


def test_quota_spent_start_and_stop_are_journaled_then_synced(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = _through(switch, server, tmp_path / "home")
    assert terminal.json("now") is None  # caches the workspace while the quota lasts
    switch.mode = "quota"
    started = terminal.run("start", "Offline work", "--at", "-30m", "-t", "kept")
    assert started.returncode == 4
    assert "quota is spent" in started.stderr and "journal" in started.stderr
    stopped = terminal.run("stop", "--at", "-5m")
    assert stopped.returncode == 0, stopped.stderr  # journaled after the start it stops
    journal = (tmp_path / "home" / ".config" / "trackgate" / "journal.jsonl").read_text()
    assert [json.loads(line)["op"] for line in journal.splitlines()] == ["start", "stop"]
    assert "api_token" not in journal and terminal.user["api_token"] not in journal

    shown = terminal.run("now")
    assert shown.returncode == 0 and "quota is spent" in shown.stderr
    assert "(not yet sent) start Offline work" in shown.stdout
    switch.mode = "forward"
    offline_view = terminal.run("sync", "--json")
    assert offline_view.returncode == 0, offline_view.stderr
    assert json.loads(offline_view.stdout) == {"sent": 2, "rejected": 0, "left": 0}
    entries = terminal.json("ls")
    assert [e["description"] for e in entries] == ["Offline work"]
    assert entries[0]["tags"] == ["kept"] and 1450 <= entries[0]["duration"] <= 1550
    assert terminal.run("sync").returncode == 1  # nothing left to send


def test_a_dropped_connection_journals_and_the_next_command_replays(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = _through(switch, server, tmp_path / "home")
    assert terminal.json("now") is None
    switch.mode = "down"
    added = terminal.run("add", "Lost?", "--start", "-2h", "--duration", "45m")
    assert added.returncode == 5 and "journal" in added.stderr
    pending = terminal.run("now")
    assert pending.returncode == 0 and "not yet sent" in pending.stdout
    assert "Lost?" in pending.stdout
    listed = terminal.run("ls")
    assert listed.returncode == 0 and "(not yet sent) add Lost?" in listed.stdout
    switch.mode = "forward"
    replayed = terminal.run("now", "--json")
    assert replayed.returncode == 0 and json.loads(replayed.stdout) is None
    assert "sent 1 journaled change" in replayed.stderr
    assert [e["description"] for e in terminal.json("ls")] == ["Lost?"]


def test_a_change_the_server_refuses_is_kept_aside_not_dropped(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = _through(switch, server, tmp_path / "home")
    assert terminal.json("now") is None
    switch.mode = "down"
    terminal.run("edit", "999999999", "-d", "no such entry")
    switch.mode = "forward"
    done = terminal.run("sync")
    assert "refused" in done.stderr
    rejected = tmp_path / "home" / ".config" / "trackgate" / "journal.rejected.jsonl"
    assert json.loads(rejected.read_text())["fields"]["description"] == "no such entry"


def test_a_journaled_start_ends_where_a_later_timer_began(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = _through(switch, server, tmp_path / "home")
    assert terminal.json("now") is None
    switch.mode = "down"
    assert terminal.run("start", "On the train", "--at", "-30m").returncode == 5
    switch.mode = "forward"
    direct = {"TOGGL_API_URL": f"{server.url}/api/v9", "XDG_CONFIG_HOME": str(tmp_path / "other")}
    later = terminal.run("start", "At the desk", "--at", "-10m", "--json", env=direct)
    assert later.returncode == 0, later.stderr  # another device, unaware of the journal
    assert json.loads(terminal.run("sync", "--json").stdout)["sent"] == 1
    running = terminal.json("now")
    assert running["description"] == "At the desk"
    train = next(e for e in terminal.json("ls") if e["description"] == "On the train")
    assert train["stop"] is not None and 1150 <= train["duration"] <= 1250


def test_a_start_offline_before_names_are_cached_journals_the_project_name(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = _through(switch, server, tmp_path / "home")
    user = terminal.user
    made = httpx.post(
        f"{server.url}/api/v9/workspaces/{user['default_workspace_id']}/projects",
        json={"name": "Website"},
        auth=(user["api_token"], "api_token"),
        timeout=30,
    )
    assert made.status_code == 200, made.text
    switch.mode = "down"  # nothing cached yet: neither the workspace nor the project's id
    started = terminal.run("start", "Offline site work", "-p", "Website")
    assert started.returncode == 5 and "journal" in started.stderr, started.stderr
    journal = (tmp_path / "home" / ".config" / "trackgate" / "journal.jsonl").read_text()
    kept = json.loads(journal.splitlines()[0])
    assert kept["op"] == "start" and kept["fields"]["project_name"] == "Website"
    switch.mode = "forward"
    synced = terminal.run("sync", "--json")
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout) == {"sent": 1, "rejected": 0, "left": 0}
    running = terminal.json("now")
    assert running["description"] == "Offline site work"
    assert running["project_id"] == made.json()["id"]


def test_a_journal_written_for_another_server_is_shown_kept_and_sent_when_asked(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = _through(switch, server, tmp_path / "home")
    switch.mode = "down"
    old_url = terminal.env["TOGGL_API_URL"]
    started = terminal.run("start", "Written on the train")
    assert started.returncode == 5 and "journal" in started.stderr, started.stderr
    terminal.env["TOGGL_API_URL"] = server.url  # the CLI now points at another URL
    shown = terminal.run("now")
    assert shown.returncode == 0, shown.stderr
    assert "Written on the train" in shown.stdout and old_url in shown.stdout
    kept = terminal.run("sync")  # not a terminal: nothing is sent or dropped, and it says so
    assert old_url in kept.stderr and "kept" in kept.stderr and "--here" in kept.stderr
    journal = tmp_path / "home" / ".config" / "trackgate" / "journal.jsonl"
    assert "Written on the train" in journal.read_text()
    assert terminal.json("ls") == []
    sent = terminal.run("sync", "--here", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout) == {"sent": 1, "rejected": 0, "left": 0}
    assert terminal.json("now")["description"] == "Written on the train"
    assert "Written on the train" not in journal.read_text()
