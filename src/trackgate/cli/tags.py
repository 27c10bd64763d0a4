"""``trackgate tags``: ls, add, edit, rm."""

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
from trackgate.cli.output import say
from trackgate.cli.session import Session

tags = group("tags", "Tags of the workspace.")


# -- tags ----------------------------------------------------------------------------------


@tags.command("ls")
@json_option
@csv_option
@click.pass_context
def tags_ls(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List tags."""
    run(
        ctx,
        lambda s, wid: show_list(s.toggl.tags.list(wid), ("id", "name"), as_json, as_csv, "Tags"),
    )


@tags.command("add")
@click.argument("name")
@json_option
@click.pass_context
def tags_add(ctx: click.Context, name: str, as_json: bool) -> None:
    """Make a tag."""
    run(ctx, lambda s, wid: show_one(s.toggl.tags.create(wid, name), as_json, "Made tag"))


@tags.command("edit")
@click.argument("ref")
@click.option("--name", required=True, help="New name.")
@json_option
@click.pass_context
def tags_edit(ctx: click.Context, ref: str, name: str, as_json: bool) -> None:
    """Rename a tag."""

    def work(s: Session, wid: int) -> None:
        tid = s.find("tags", ref, wid)["id"]
        show_one(s.toggl.tags.update(wid, tid, name), as_json, "Changed tag")

    run(ctx, work)


@tags.command("rm")
@click.argument("ref")
@yes_option
@click.pass_context
def tags_rm(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a tag (entries lose it)."""

    def work(s: Session, wid: int) -> None:
        found = s.find("tags", ref, wid)
        confirm(f"tag {found['name']}", yes)
        s.toggl.tags.delete(wid, found["id"])
        say(f"Deleted tag {found['name']}.")

    run(ctx, work)
