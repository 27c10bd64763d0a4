"""``trackgate clients``: ls, add, edit, rm, archive, restore."""

from __future__ import annotations

import click

from trackgate.cli.catalog import (
    confirm,
    csv_option,
    group,
    json_option,
    run,
    show_list,
    show_one,
    yes_option,
)
from trackgate.cli.output import emit_json, say
from trackgate.cli.session import Session

clients = group("clients", "Clients of the workspace.")


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
        show_list(found, ("id", "name", "archived"), as_json, as_csv, "Clients")

    run(ctx, work)


@clients.command("add")
@click.argument("name")
@json_option
@click.pass_context
def clients_add(ctx: click.Context, name: str, as_json: bool) -> None:
    """Make a client."""
    run(ctx, lambda s, wid: show_one(s.toggl.clients.create(wid, name), as_json, "Made client"))


@clients.command("edit")
@click.argument("ref")
@click.option("--name", required=True, help="New name.")
@json_option
@click.pass_context
def clients_edit(ctx: click.Context, ref: str, name: str, as_json: bool) -> None:
    """Rename a client."""

    def work(s: Session, wid: int) -> None:
        cid = s.find("clients", ref, wid)["id"]
        show_one(s.toggl.clients.update(wid, cid, name=name), as_json, "Changed client")

    run(ctx, work)


@clients.command("rm")
@click.argument("ref")
@yes_option
@click.pass_context
def clients_rm(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a client; its projects are kept, without a client."""

    def work(s: Session, wid: int) -> None:
        found = s.find("clients", ref, wid)
        confirm(f"client {found['name']}", yes)
        s.toggl.clients.delete(wid, found["id"])
        say(f"Deleted client {found['name']}.")

    run(ctx, work)


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

    run(ctx, work)


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
        show_one(restored, as_json, "Restored client")

    run(ctx, work)
