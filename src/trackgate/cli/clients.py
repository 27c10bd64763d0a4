"""``trackgate clients``: ls, add, edit, rm, archive, restore."""

from __future__ import annotations

import click

from trackgate.cli.catalog import (
    add_edit_rm,
    csv_option,
    group,
    json_option,
    run,
    show_list,
    show_one,
)
from trackgate.cli.exits import one_format
from trackgate.cli.output import emit_json, say
from trackgate.cli.session import Session

clients = group("clients", "Clients of the workspace.")


# -- clients -------------------------------------------------------------------------------


@clients.command("ls")
@click.option("--status", default="active", help="active, archived or both.")
@json_option
@csv_option
@click.pass_context
@one_format
def clients_ls(ctx: click.Context, status: str, as_json: bool, as_csv: bool) -> None:
    """List clients."""

    def work(s: Session, wid: int) -> None:
        found = s.toggl.clients.list(wid, status=status)
        show_list(found, ("id", "name", "archived"), as_json, as_csv, "Clients")

    run(ctx, work)


add_edit_rm(
    clients,
    "clients",
    "client",
    edit_help="Rename a client.",
    rm_help="Delete a client; its projects are kept, without a client.",
)


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
