"""``trackgate projects | clients | tags | tasks | workspaces``: the names entries point to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer

from trackgate.cli.exits import reported
from trackgate.cli.output import emit_csv, emit_json, emit_table, say
from trackgate.cli.session import Session, open_session
from trackgate.client import Model

JsonOption = typer.Option(False, "--json", help="Print as the API spells it.")
CsvOption = typer.Option(False, "--csv", help="Print CSV.")
YesOption = typer.Option(False, "--yes", "-y", help="Do not ask.")


def _group(help_text: str) -> typer.Typer:
    group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)

    @group.callback()
    def keep_as_group() -> None:
        """A group even with one command (``workspaces ls``)."""

    return group


projects = _group("Projects of the workspace.")
clients = _group("Clients of the workspace.")
tags = _group("Tags of the workspace.")
tasks = _group("Tasks of a project.")
workspaces = _group("Your workspaces.")


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
        typer.confirm(f"Delete {what}?", abort=True)


def _run(ctx: typer.Context, work: Callable[[Session, int], None]) -> None:
    session = open_session(ctx)
    with reported():
        work(session, session.workspace_id())


# -- projects ------------------------------------------------------------------------------


@projects.command("ls")
def projects_ls(
    ctx: typer.Context,
    archived: bool = typer.Option(False, "--archived", help="Include archived projects."),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """List projects (active ones unless --archived)."""

    def work(s: Session, wid: int) -> None:
        found = list(s.toggl.projects.list(wid, active=None if archived else True))
        columns = ("id", "name", "client_id", "active", "billable", "color")
        _list(found, columns, as_json, as_csv, "Projects")

    _run(ctx, work)


@projects.command("add")
def projects_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Project name."),
    client: str | None = typer.Option(None, "-c", "--client", help="Client name or id."),
    color: str | None = typer.Option(None, "--color", help="#rrggbb."),
    billable: bool = typer.Option(False, "--billable", help="Billable by default."),
    rate: float | None = typer.Option(None, "--rate", help="Hourly rate."),
    as_json: bool = JsonOption,
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
def projects_edit(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Project name or id."),
    name: str | None = typer.Option(None, "--name", help="New name."),
    color: str | None = typer.Option(None, "--color", help="#rrggbb."),
    active: bool | None = typer.Option(None, "--active/--archived", help="Active or archived."),
    billable: bool | None = typer.Option(None, "--billable/--no-billable", help="Billable."),
    as_json: bool = JsonOption,
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
def projects_rm(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Project name or id."),
    yes: bool = YesOption,
) -> None:
    """Delete a project; its time entries are kept, without a project."""

    def work(s: Session, wid: int) -> None:
        found = s.find("projects", ref, wid)
        _confirm(f"project {found['name']}", yes)
        s.toggl.projects.delete(wid, found["id"])
        say(f"Deleted project {found['name']}.")

    _run(ctx, work)


# -- clients -------------------------------------------------------------------------------


@clients.command("ls")
def clients_ls(
    ctx: typer.Context,
    status: str = typer.Option("active", "--status", help="active, archived or both."),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """List clients."""

    def work(s: Session, wid: int) -> None:
        found = s.toggl.clients.list(wid, status=status)
        _list(found, ("id", "name", "archived"), as_json, as_csv, "Clients")

    _run(ctx, work)


@clients.command("add")
def clients_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Client name."),
    as_json: bool = JsonOption,
) -> None:
    """Make a client."""
    _run(ctx, lambda s, wid: _done(s.toggl.clients.create(wid, name), as_json, "Made client"))


@clients.command("edit")
def clients_edit(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Client name or id."),
    name: str = typer.Option(..., "--name", help="New name."),
    as_json: bool = JsonOption,
) -> None:
    """Rename a client."""

    def work(s: Session, wid: int) -> None:
        cid = s.find("clients", ref, wid)["id"]
        _done(s.toggl.clients.update(wid, cid, name=name), as_json, "Changed client")

    _run(ctx, work)


@clients.command("rm")
def clients_rm(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Client name or id."),
    yes: bool = YesOption,
) -> None:
    """Delete a client; its projects are kept, without a client."""

    def work(s: Session, wid: int) -> None:
        found = s.find("clients", ref, wid)
        _confirm(f"client {found['name']}", yes)
        s.toggl.clients.delete(wid, found["id"])
        say(f"Deleted client {found['name']}.")

    _run(ctx, work)


@clients.command("archive")
def clients_archive(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Client name or id."),
    as_json: bool = JsonOption,
) -> None:
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
def clients_restore(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Client name or id."),
    all_projects: bool = typer.Option(False, "--all-projects", help="Restore its projects too."),
    as_json: bool = JsonOption,
) -> None:
    """Restore an archived client (and, with --all-projects, its projects)."""

    def work(s: Session, wid: int) -> None:
        found = s.find("clients", ref, wid)
        restored = s.toggl.clients.restore(wid, found["id"], restore_all_projects=all_projects)
        _done(restored, as_json, "Restored client")

    _run(ctx, work)


# -- tags ----------------------------------------------------------------------------------


@tags.command("ls")
def tags_ls(ctx: typer.Context, as_json: bool = JsonOption, as_csv: bool = CsvOption) -> None:
    """List tags."""
    _run(ctx, lambda s, wid: _list(s.toggl.tags.list(wid), ("id", "name"), as_json, as_csv, "Tags"))


@tags.command("add")
def tags_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Tag name."),
    as_json: bool = JsonOption,
) -> None:
    """Make a tag."""
    _run(ctx, lambda s, wid: _done(s.toggl.tags.create(wid, name), as_json, "Made tag"))


@tags.command("edit")
def tags_edit(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Tag name or id."),
    name: str = typer.Option(..., "--name", help="New name."),
    as_json: bool = JsonOption,
) -> None:
    """Rename a tag."""

    def work(s: Session, wid: int) -> None:
        tid = s.find("tags", ref, wid)["id"]
        _done(s.toggl.tags.update(wid, tid, name), as_json, "Changed tag")

    _run(ctx, work)


@tags.command("rm")
def tags_rm(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Tag name or id."),
    yes: bool = YesOption,
) -> None:
    """Delete a tag (entries lose it)."""

    def work(s: Session, wid: int) -> None:
        found = s.find("tags", ref, wid)
        _confirm(f"tag {found['name']}", yes)
        s.toggl.tags.delete(wid, found["id"])
        say(f"Deleted tag {found['name']}.")

    _run(ctx, work)


# -- tasks ---------------------------------------------------------------------------------

ProjectArgument = typer.Option(..., "-p", "--project", help="Project name or id.")


def _task_id(s: Session, wid: int, pid: int, ref: str) -> int:
    found = [t for t in s.toggl.tasks.list(wid, pid) if str(t.id) == ref or t.name == ref]
    if len(found) != 1:
        from trackgate.client import UnknownNameError

        raise UnknownNameError(f"no single task named {ref!r}")
    assert found[0].id is not None
    return found[0].id


@tasks.command("ls")
def tasks_ls(
    ctx: typer.Context,
    project: str = ProjectArgument,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """List a project's tasks."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        found = s.toggl.tasks.list(wid, pid)
        _list(found, ("id", "name", "active", "estimated_seconds"), as_json, as_csv, "Tasks")

    _run(ctx, work)


@tasks.command("add")
def tasks_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Task name."),
    project: str = ProjectArgument,
    as_json: bool = JsonOption,
) -> None:
    """Make a task in a project."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        _done(s.toggl.tasks.create(wid, pid, name), as_json, "Made task")

    _run(ctx, work)


@tasks.command("edit")
def tasks_edit(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Task name or id."),
    project: str = ProjectArgument,
    name: str | None = typer.Option(None, "--name", help="New name."),
    active: bool | None = typer.Option(None, "--active/--done", help="Open or done."),
    as_json: bool = JsonOption,
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
def tasks_rm(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Task name or id."),
    project: str = ProjectArgument,
    yes: bool = YesOption,
) -> None:
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
def workspaces_ls(ctx: typer.Context, as_json: bool = JsonOption, as_csv: bool = CsvOption) -> None:
    """List your workspaces."""
    session = open_session(ctx)
    with reported():
        found = session.toggl.workspaces.list()
    _list(found, ("id", "name", "organization_id", "admin"), as_json, as_csv, "Workspaces")
