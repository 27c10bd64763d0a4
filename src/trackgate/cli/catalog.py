"""``trackgate projects | workspaces``, and what the catalog commands share (clients, tags and
tasks live in modules of their own)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from trackgate.cli.exits import one_format, reported
from trackgate.cli.lazy import Group
from trackgate.cli.output import emit_csv, emit_json, emit_table, say
from trackgate.cli.session import Session, open_session
from trackgate.client import Model

json_option = click.option("--json", "as_json", is_flag=True, help="Print as the API spells it.")
csv_option = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
yes_option = click.option("--yes", "-y", is_flag=True, help="Do not ask.")


def group(name: str, help_text: str) -> click.Group:
    return Group(name, help=help_text, no_args_is_help=True)


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


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
Fields = Callable[[Session, int, dict[str, Any]], dict[str, Any]]

#: ``edit --name``: the one change a client or a tag takes.
new_name_option = click.option("--name", required=True, help="New name.")


def _given(_s: Session, _wid: int, given: dict[str, Any]) -> dict[str, Any]:
    """The options that were typed: an edit changes only those."""
    return {k: v for k, v in given.items() if v is not None}


def _command(
    group: click.Group, name: str, help_text: str, decorators: Sequence[Decorator]
) -> Callable[[Callable[..., Any]], click.Command]:
    """``callback`` as ``group``'s command ``name``, decorated top to bottom as listed."""

    steps: list[Decorator] = [*decorators, click.pass_context]

    def register(callback: Callable[..., Any]) -> click.Command:
        callback.__doc__ = help_text
        for decorate in reversed(steps):
            callback = decorate(callback)
        command: click.Command = group.command(name)(callback)
        return command

    return register


def add_edit_rm(
    group: click.Group,
    kind: str,
    noun: str,
    *,
    edit_help: str,
    rm_help: str,
    add_options: Sequence[Decorator] = (),
    add_fields: Fields = _given,
    edit_options: Sequence[Decorator] = (new_name_option,),
    edit_fields: Fields = _given,
) -> None:
    """``add NAME``, ``edit REF`` and ``rm REF`` of a catalog kind (``projects``, ``clients``,
    ``tags``): the object named or numbered in the workspace, through ``toggl.<kind>``."""

    @_command(group, "add", f"Make a {noun}.", (click.argument("name"), *add_options, json_option))
    def add(ctx: click.Context, name: str, as_json: bool, **given: Any) -> None:
        def work(s: Session, wid: int) -> None:
            made = getattr(s.toggl, kind).create(wid, name, **add_fields(s, wid, given))
            show_one(made, as_json, f"Made {noun}")

        run(ctx, work)

    @_command(group, "edit", edit_help, (click.argument("ref"), *edit_options, json_option))
    def edit(ctx: click.Context, ref: str, as_json: bool, **given: Any) -> None:
        def work(s: Session, wid: int) -> None:
            found = s.find(kind, ref, wid)["id"]
            changed = getattr(s.toggl, kind).update(wid, found, **edit_fields(s, wid, given))
            show_one(changed, as_json, f"Changed {noun}")

        run(ctx, work)

    @_command(group, "rm", rm_help, (click.argument("ref"), yes_option))
    def rm(ctx: click.Context, ref: str, yes: bool) -> None:
        def work(s: Session, wid: int) -> None:
            found = s.find(kind, ref, wid)
            confirm(f"{noun} {found['name']}", yes)
            getattr(s.toggl, kind).delete(wid, found["id"])
            say(f"Deleted {noun} {found['name']}.")

        run(ctx, work)


# -- projects ------------------------------------------------------------------------------


@projects.command("ls")
@click.option("--archived", is_flag=True, help="Include archived projects.")
@json_option
@csv_option
@click.pass_context
@one_format
def projects_ls(ctx: click.Context, archived: bool, as_json: bool, as_csv: bool) -> None:
    """List projects (active ones unless --archived)."""

    def work(s: Session, wid: int) -> None:
        found = list(s.toggl.projects.list(wid, active=None if archived else True))
        columns = ("id", "name", "client_id", "active", "billable", "color")
        show_list(found, columns, as_json, as_csv, "Projects")

    run(ctx, work)


def _new_project(s: Session, wid: int, given: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if given["client"]:
        fields["client_id"] = s.find("clients", given["client"], wid)["id"]
    if given["color"]:
        fields["color"] = given["color"]
    if given["billable"]:
        fields["billable"] = True
    if given["rate"] is not None:
        fields["rate"] = given["rate"]
    return fields


add_edit_rm(
    projects,
    "projects",
    "project",
    add_options=(
        click.option("-c", "--client", help="Client name or id."),
        click.option("--color", help="#rrggbb."),
        click.option("--billable", is_flag=True, help="Billable by default."),
        click.option("--rate", type=float, help="Hourly rate."),
    ),
    add_fields=_new_project,
    edit_help="Rename, recolour, archive or restore a project.",
    edit_options=(
        click.option("--name", help="New name."),
        click.option("--color", help="#rrggbb."),
        click.option("--active/--archived", default=None, help="Active or archived."),
        click.option("--billable/--no-billable", default=None, help="Billable."),
    ),
    rm_help="Delete a project; its time entries are kept, without a project.",
)


# -- workspaces ----------------------------------------------------------------------------


@workspaces.command("ls")
@json_option
@csv_option
@click.pass_context
@one_format
def workspaces_ls(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List your workspaces."""
    session = open_session(ctx)
    with reported():
        found = session.toggl.workspaces.list()
    show_list(found, ("id", "name", "organization_id", "admin"), as_json, as_csv, "Workspaces")
