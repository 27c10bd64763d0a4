"""``trackgate projects | workspaces``, and what the catalog commands share (clients, tags and
tasks live in modules of their own)."""

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


def group(name: str, help_text: str) -> click.Group:
    return click.Group(name, help=help_text, no_args_is_help=True)


projects = group("projects", "Projects of the workspace (names or ids are accepted).")
workspaces = group("workspaces", "Your workspaces.")


def show_list(
    items: Sequence[Model], columns: Sequence[str], as_json: bool, as_csv: bool, title: str
) -> None:
    if as_json:
        emit_json([i.raw for i in items])
    elif as_csv:
        emit_csv(columns, ([i.raw.get(c) for c in columns] for i in items))
    else:
        emit_table(columns, ([i.raw.get(c) for c in columns] for i in items), title=title)


def show_one(item: Model, as_json: bool, verb: str) -> None:
    if as_json:
        emit_json(item.raw)
    else:
        say(f"{verb} {item.raw.get('name')} (id {item.raw.get('id')}).")


def confirm(what: str, yes: bool) -> None:
    import sys

    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete {what}?", abort=True)


def run(ctx: click.Context, work: Callable[[Session, int], None]) -> None:
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
        show_list(found, columns, as_json, as_csv, "Projects")

    run(ctx, work)


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
        show_one(s.toggl.projects.create(wid, name, **fields), as_json, "Made project")

    run(ctx, work)


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
        show_one(s.toggl.projects.update(wid, pid, **fields), as_json, "Changed project")

    run(ctx, work)


@projects.command("rm")
@click.argument("ref")
@yes_option
@click.pass_context
def projects_rm(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a project; its time entries are kept, without a project."""

    def work(s: Session, wid: int) -> None:
        found = s.find("projects", ref, wid)
        confirm(f"project {found['name']}", yes)
        s.toggl.projects.delete(wid, found["id"])
        say(f"Deleted project {found['name']}.")

    run(ctx, work)


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
    show_list(found, ("id", "name", "organization_id", "admin"), as_json, as_csv, "Workspaces")
