"""``trackgate projects | clients | tags | tasks | workspaces``: the names entries point to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from trackgate.cli.exits import reported
from trackgate.cli.output import emit_csv, emit_json, emit_table, say
from trackgate.cli.session import Session, open_session
from trackgate.client import Model

json_option = click.option("--json", "as_json", is_flag=True, help="Print as the API spells it.")
csv_option = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
yes_option = click.option("--yes", "-y", is_flag=True, help="Do not ask.")


def _group(name: str, help_text: str) -> click.Group:
    return click.Group(name, help=help_text, no_args_is_help=True)


projects = _group("projects", "Projects of the workspace (names or ids are accepted).")
clients = _group("clients", "Clients of the workspace.")
tags = _group("tags", "Tags of the workspace.")
tasks = _group("tasks", "Tasks of a project.")
workspaces = _group("workspaces", "Your workspaces.")


def _list(
    items: Sequence[Model], columns: Sequence[str], as_json: bool, as_csv: bool, title: str
) -> None:
    if as_json:
        emit_json([i.raw for i in items])
    elif as_csv:
        emit_csv(columns, ([i.raw.get(c) for c in columns] for i in items))
    else:
        emit_table(columns, ([i.raw.get(c) for c in columns] for i in items), title=title)


def _done(item: Model, as_json: bool, verb: str) -> None:
    if as_json:
        emit_json(item.raw)
    else:
        say(f"{verb} {item.raw.get('name')} (id {item.raw.get('id')}).")


def _confirm(what: str, yes: bool) -> None:
    import sys

    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete {what}?", abort=True)


def _run(ctx: click.Context, work: Callable[[Session, int], None]) -> None:
    session = open_session(ctx)
    with reported():
        work(session, session.workspace_id())


# -- projects ------------------------------------------------------------------------------


@projects.command("ls")
@click.option("--archived", is_flag=True, help="Include archived projects.")
@json_option
@csv_option
@click.pass_context
def projects_ls(ctx: click.Context, archived: bool, as_json: bool, as_csv: bool) -> None:
    """List projects (active ones unless --archived)."""

    def work(s: Session, wid: int) -> None:
        found = list(s.toggl.projects.list(wid, active=None if archived else True))
        columns = ("id", "name", "client_id", "active", "billable", "color")
        _list(found, columns, as_json, as_csv, "Projects")

    _run(ctx, work)


@projects.command("add")
@click.argument("name")
@click.option("-c", "--client", help="Client name or id.")
@click.option("--color", help="#rrggbb.")
@click.option("--billable", is_flag=True, help="Billable by default.")
@click.option("--rate", type=float, help="Hourly rate.")
@json_option
@click.pass_context
def projects_add(
    ctx: click.Context,
    name: str,
    client: str | None,
    color: str | None,
    billable: bool,
    rate: float | None,
    as_json: bool,
) -> None:
    """Make a project."""

    def work(s: Session, wid: int) -> None:
        fields: dict[str, Any] = {}
        if client:
            fields["client_id"] = s.find("clients", client, wid)["id"]
        if color:
            fields["color"] = color
        if billable:
            fields["billable"] = True
        if rate is not None:
            fields["rate"] = rate
        _done(s.toggl.projects.create(wid, name, **fields), as_json, "Made project")

    _run(ctx, work)


@projects.command("edit")
@click.argument("ref")
@click.option("--name", help="New name.")
@click.option("--color", help="#rrggbb.")
@click.option("--active/--archived", default=None, help="Active or archived.")
@click.option("--billable/--no-billable", default=None, help="Billable.")
@json_option
@click.pass_context
def projects_edit(
    ctx: click.Context,
    ref: str,
    name: str | None,
    color: str | None,
    active: bool | None,
    billable: bool | None,
    as_json: bool,
) -> None:
    """Rename, recolour, archive or restore a project."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", ref, wid)["id"]
        fields = {
            k: v
            for k, v in {
                "name": name,
                "color": color,
                "active": active,
                "billable": billable,
            }.items()
            if v is not None
        }
        _done(s.toggl.projects.update(wid, pid, **fields), as_json, "Changed project")

    _run(ctx, work)


@projects.command("rm")
@click.argument("ref")
@yes_option
@click.pass_context
def projects_rm(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a project; its time entries are kept, without a project."""

    def work(s: Session, wid: int) -> None:
        found = s.find("projects", ref, wid)
        _confirm(f"project {found['name']}", yes)
        s.toggl.projects.delete(wid, found["id"])
        say(f"Deleted project {found['name']}.")

    _run(ctx, work)


# -- clients -------------------------------------------------------------------------------


@clients.command("ls")
@click.option("--status", default="active", help="active, archived or both.")
@json_option
@csv_option
@click.pass_context
def clients_ls(ctx: click.Context, status: str, as_json: bool, as_csv: bool) -> None:
    """List clients."""

    def work(s: Session, wid: int) -> None:
        found = s.toggl.clients.list(wid, status=status)
        _list(found, ("id", "name", "archived"), as_json, as_csv, "Clients")

    _run(ctx, work)


@clients.command("add")
@click.argument("name")
@json_option
@click.pass_context
def clients_add(ctx: click.Context, name: str, as_json: bool) -> None:
    """Make a client."""
    _run(ctx, lambda s, wid: _done(s.toggl.clients.create(wid, name), as_json, "Made client"))


@clients.command("edit")
@click.argument("ref")
@click.option("--name", required=True, help="New name.")
@json_option
@click.pass_context
def clients_edit(ctx: click.Context, ref: str, name: str, as_json: bool) -> None:
    """Rename a client."""

    def work(s: Session, wid: int) -> None:
        cid = s.find("clients", ref, wid)["id"]
        _done(s.toggl.clients.update(wid, cid, name=name), as_json, "Changed client")

    _run(ctx, work)


@clients.command("rm")
@click.argument("ref")
@yes_option
@click.pass_context
def clients_rm(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a client; its projects are kept, without a client."""

    def work(s: Session, wid: int) -> None:
        found = s.find("clients", ref, wid)
        _confirm(f"client {found['name']}", yes)
        s.toggl.clients.delete(wid, found["id"])
        say(f"Deleted client {found['name']}.")

    _run(ctx, work)


@clients.command("archive")
@click.argument("ref")
@json_option
@click.pass_context
def clients_archive(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Archive a client and its projects."""

    def work(s: Session, wid: int) -> None:
        found = s.find("clients", ref, wid)
        archived = s.toggl.clients.archive(wid, found["id"])
        if as_json:
            emit_json(archived)
        else:
            say(f"Archived client {found['name']} and {len(archived)} project(s).")

    _run(ctx, work)


@clients.command("restore")
@click.argument("ref")
@click.option("--all-projects", is_flag=True, help="Restore its projects too.")
@json_option
@click.pass_context
def clients_restore(ctx: click.Context, ref: str, all_projects: bool, as_json: bool) -> None:
    """Restore an archived client (and, with --all-projects, its projects)."""

    def work(s: Session, wid: int) -> None:
        found = s.find("clients", ref, wid)
        restored = s.toggl.clients.restore(wid, found["id"], restore_all_projects=all_projects)
        _done(restored, as_json, "Restored client")

    _run(ctx, work)


# -- tags ----------------------------------------------------------------------------------


@tags.command("ls")
@json_option
@csv_option
@click.pass_context
def tags_ls(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List tags."""
    _run(ctx, lambda s, wid: _list(s.toggl.tags.list(wid), ("id", "name"), as_json, as_csv, "Tags"))


@tags.command("add")
@click.argument("name")
@json_option
@click.pass_context
def tags_add(ctx: click.Context, name: str, as_json: bool) -> None:
    """Make a tag."""
    _run(ctx, lambda s, wid: _done(s.toggl.tags.create(wid, name), as_json, "Made tag"))


@tags.command("edit")
@click.argument("ref")
@click.option("--name", required=True, help="New name.")
@json_option
@click.pass_context
def tags_edit(ctx: click.Context, ref: str, name: str, as_json: bool) -> None:
    """Rename a tag."""

    def work(s: Session, wid: int) -> None:
        tid = s.find("tags", ref, wid)["id"]
        _done(s.toggl.tags.update(wid, tid, name), as_json, "Changed tag")

    _run(ctx, work)


@tags.command("rm")
@click.argument("ref")
@yes_option
@click.pass_context
def tags_rm(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a tag (entries lose it)."""

    def work(s: Session, wid: int) -> None:
        found = s.find("tags", ref, wid)
        _confirm(f"tag {found['name']}", yes)
        s.toggl.tags.delete(wid, found["id"])
        say(f"Deleted tag {found['name']}.")

    _run(ctx, work)


# -- tasks ---------------------------------------------------------------------------------

project_required = click.option("-p", "--project", required=True, help="Project name or id.")


def _task_id(s: Session, wid: int, pid: int, ref: str) -> int:
    found = [t for t in s.toggl.tasks.list(wid, pid) if str(t.id) == ref or t.name == ref]
    if len(found) != 1:
        from trackgate.client import UnknownNameError

        raise UnknownNameError(f"no single task named {ref!r}")
    assert found[0].id is not None
    return found[0].id


@tasks.command("ls")
@project_required
@json_option
@csv_option
@click.pass_context
def tasks_ls(ctx: click.Context, project: str, as_json: bool, as_csv: bool) -> None:
    """List a project's tasks."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        found = s.toggl.tasks.list(wid, pid)
        _list(found, ("id", "name", "active", "estimated_seconds"), as_json, as_csv, "Tasks")

    _run(ctx, work)


@tasks.command("add")
@click.argument("name")
@project_required
@json_option
@click.pass_context
def tasks_add(ctx: click.Context, name: str, project: str, as_json: bool) -> None:
    """Make a task in a project."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        _done(s.toggl.tasks.create(wid, pid, name), as_json, "Made task")

    _run(ctx, work)


@tasks.command("edit")
@click.argument("ref")
@project_required
@click.option("--name", help="New name.")
@click.option("--active/--done", default=None, help="Open or done.")
@json_option
@click.pass_context
def tasks_edit(
    ctx: click.Context, ref: str, project: str, name: str | None, active: bool | None, as_json: bool
) -> None:
    """Rename a task or mark it done."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        fields = {k: v for k, v in {"name": name, "active": active}.items() if v is not None}
        _done(
            s.toggl.tasks.update(wid, pid, _task_id(s, wid, pid, ref), **fields),
            as_json,
            "Changed task",
        )

    _run(ctx, work)


@tasks.command("rm")
@click.argument("ref")
@project_required
@yes_option
@click.pass_context
def tasks_rm(ctx: click.Context, ref: str, project: str, yes: bool) -> None:
    """Delete a task."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        task_id = _task_id(s, wid, pid, ref)
        _confirm(f"task {ref}", yes)
        s.toggl.tasks.delete(wid, pid, task_id)
        say(f"Deleted task {ref}.")

    _run(ctx, work)


# -- workspaces ----------------------------------------------------------------------------


@workspaces.command("ls")
@json_option
@csv_option
@click.pass_context
def workspaces_ls(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List your workspaces."""
    session = open_session(ctx)
    with reported():
        found = session.toggl.workspaces.list()
    _list(found, ("id", "name", "organization_id", "admin"), as_json, as_csv, "Workspaces")
