"""A day of tracking with the real CLI against a live ``trackgate serve``, straight to the
service and through the gateway: stdout carries the JSON, stderr the rest, exit codes hold."""

from __future__ import annotations

import json

import httpx

from tests.cli.conftest import Terminal


def _server_get(terminal: Terminal, path: str) -> httpx.Response:
    token = terminal.user["api_token"]
    return httpx.get(f"{terminal.server.url}/api/v9{path}", auth=(token, "api_token"))


def test_a_day_of_tracking(terminal: Terminal) -> None:
    nothing = terminal.run("now", "--json")
    assert nothing.returncode == 0 and json.loads(nothing.stdout) is None

    made = terminal.json("projects", "add", "Website")
    assert made["name"] == "Website"

    started = terminal.json("start", "Writing docs", "-p", "website", "-t", "focus", "-t", "docs")
    assert started["project_id"] == made["id"] and started["tags"] == ["focus", "docs"]
    assert started["duration"] == -1 and started["stop"] is None

    running = terminal.json("now")
    assert running["id"] == started["id"]
    assert running == _server_get(terminal, "/me/time_entries/current").json()

    stopped = terminal.json("stop")
    assert stopped["id"] == started["id"] and stopped["stop"] is not None
    again = terminal.run("stop")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.strip() == "trackgate: nothing is running"

    added = terminal.json(
        "add", "Planning", "--start", "yesterday 9:00", "--duration", "1h30m", "-p", str(made["id"])
    )
    assert added["duration"] == 5400 and added["start"].startswith(added["start"][:10])

    listed = terminal.json("ls")
    assert [e["id"] for e in listed] == [started["id"], added["id"]]
    server_view = _server_get(terminal, f"/me/time_entries/{added['id']}").json()
    assert listed[1] == server_view  # exactly what the server sends, key order included
    assert list(listed[1]) == list(server_view)

    edited = terminal.json("edit", str(added["id"]), "-d", "Sprint planning", "--billable")
    assert edited["description"] == "Sprint planning" and edited["billable"] is True

    again_started = terminal.json("continue", "writing DOCS")
    assert again_started["description"] == "Writing docs"
    assert again_started["project_id"] == made["id"] and again_started["tags"] == ["focus", "docs"]
    assert terminal.json("stop")["id"] == again_started["id"]

    removed = terminal.run("rm", str(added["id"]), "--yes")
    assert removed.returncode == 0, removed.stderr
    assert _server_get(terminal, f"/me/time_entries/{added['id']}").status_code == 404

    report = terminal.json("report", "day", "--by", "project")
    assert report["groups"][0]["title"] == "Website"


def test_ls_filters_and_csv(terminal: Terminal) -> None:
    terminal.json("projects", "add", "Alpha")
    first = terminal.json(
        "add", "a", "--start", "monday 9:00", "--stop", "monday 10:00", "-p", "Alpha"
    )
    terminal.json("add", "b", "--start", "-3h", "--duration", "30m", "-t", "x")
    only_alpha = terminal.json("ls", "--since", "-14d", "--project", "alpha")
    assert [e["id"] for e in only_alpha] == [first["id"]]
    tagged = terminal.json("ls", "--tag", "x")
    assert [e["description"] for e in tagged] == ["b"]
    csv = terminal.run("ls", "--since", "-14d", "--csv")
    assert csv.returncode == 0
    lines = csv.stdout.strip().splitlines()
    assert lines[0].startswith("id,start,stop,duration,description") and len(lines) == 3


def test_names_that_match_nothing_or_several_are_usage_errors(terminal: Terminal) -> None:
    terminal.json("projects", "add", "Same")
    terminal.json("projects", "add", "same")
    terminal.json("projects", "add", "Other")
    unknown = terminal.run("start", "x", "-p", "Nope")
    assert unknown.returncode == 2 and "no project named 'Nope'" in unknown.stderr
    several = terminal.run("start", "x", "-p", "SAME")
    assert several.returncode == 2 and "several projects" in several.stderr
    assert terminal.json("now") is None  # nothing was started


def test_catalog_commands(terminal: Terminal) -> None:
    client = terminal.json("clients", "add", "Acme")
    project = terminal.json("projects", "add", "Site", "-c", "Acme", "--color", "#06aaf5")
    assert project["client_id"] == client["id"]
    assert terminal.json("clients", "archive", "Acme") == [project["id"]]
    assert terminal.json("clients", "ls") == []
    restored = terminal.json("clients", "restore", "Acme", "--all-projects")
    assert restored["archived"] is False
    assert [c["name"] for c in terminal.json("clients", "ls")] == ["Acme"]
    assert terminal.json("clients", "edit", "Acme", "--name", "Acme Inc")["name"] == "Acme Inc"
    assert terminal.json("projects", "edit", "Site", "--name", "Site 2")["name"] == "Site 2"
    assert [p["name"] for p in terminal.json("projects", "ls")] == ["Site 2"]
    tag = terminal.json("tags", "add", "deep")
    assert terminal.json("tags", "edit", "deep", "--name", "deep-work")["id"] == tag["id"]
    assert [t["name"] for t in terminal.json("tags", "ls")] == ["deep-work"]
    task = terminal.json("tasks", "add", "Design", "-p", "Site 2")
    assert [t["id"] for t in terminal.json("tasks", "ls", "-p", "Site 2")] == [task["id"]]
    assert terminal.json("tasks", "edit", "Design", "-p", "Site 2", "--name", "UX")["name"] == "UX"
    for args in (
        ("tasks", "rm", "UX", "-p", "Site 2", "--yes"),
        ("tags", "rm", "deep-work", "--yes"),
        ("projects", "rm", "Site 2", "--yes"),
        ("clients", "rm", "Acme Inc", "--yes"),
    ):
        done = terminal.run(*args)
        assert done.returncode == 0, done.stderr
    assert terminal.json("tags", "ls") == [] and terminal.json("clients", "ls") == []
    workspaces = terminal.json("workspaces", "ls")
    assert [w["id"] for w in workspaces] == [terminal.workspace_id]


def test_exit_codes(terminal: Terminal) -> None:
    usage = terminal.run("add", "x", "--start", "9:00")
    assert usage.returncode == 2 and "--stop" in usage.stderr
    bad_time = terminal.run("start", "x", "--at", "half past nine")
    assert bad_time.returncode == 2
    wrong = "TOGGL_API_TOKEN" if terminal.route == "direct" else "MATON_API_KEY"
    refused = terminal.run("now", env={wrong: "0" * 32})
    assert refused.returncode == 3 and refused.stdout == ""
    assert refused.stderr.startswith("trackgate: ") and len(refused.stderr.splitlines()) == 1
    unreachable = {
        "TOGGL_API_URL": "http://127.0.0.1:9/api/v9",
        "TRACKGATE_GATEWAY_URL": "http://127.0.0.1:9",
    }
    down = terminal.run("now", env=unreachable)
    assert down.returncode == 5 and "Traceback" not in down.stderr
    missing = terminal.run("rm", "999999999", "--yes")
    assert missing.returncode == 1


def test_gateway_wins_when_both_are_set(terminal: Terminal) -> None:
    if terminal.route != "gateway":
        return
    both = terminal.run("now", "--json", env={"TOGGL_API_TOKEN": "0" * 32})
    assert both.returncode == 0, both.stderr  # the wrong Toggl token was not used
    listed = terminal.json("connections", "ls")
    assert [c["status"] for c in listed] == ["ACTIVE"]
    shown = terminal.json("connections", "get", listed[0]["connection_id"])
    assert shown["metadata"]["email"] == terminal.user["email"]
    pending = terminal.json("connections", "create", "--no-wait")
    assert pending["status"] == "PENDING" and "session_token=" in pending["url"]
    waited = terminal.run("connections", "create", "--timeout", "1")
    assert waited.returncode == 1 and "PENDING" in waited.stderr
    gone = terminal.run("connections", "rm", pending["connection_id"], "--yes")
    assert gone.returncode == 0, gone.stderr
    assert terminal.run("connections", "get", pending["connection_id"]).returncode == 1


def test_version_and_help_need_no_credentials(terminal: Terminal) -> None:
    version = terminal.run("--version", env={"TOGGL_API_TOKEN": "", "MATON_API_KEY": ""})
    assert version.returncode == 0 and version.stdout.startswith("trackgate ")
    short = terminal.run("-h")
    assert short.returncode == 0 and "start" in short.stdout and "connections" in short.stdout
    sub = terminal.run("start", "-h")
    assert sub.returncode == 0 and "--project" in sub.stdout
