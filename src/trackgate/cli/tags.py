"""``trackgate tags``: ls, add, edit, rm."""

from __future__ import annotations

import click

from trackgate.cli.catalog import (
    add_edit_rm,
    csv_option,
    group,
    json_option,
    run,
    show_list,
)
from trackgate.cli.exits import one_format

tags = group("tags", "Tags of the workspace.")


# -- tags ----------------------------------------------------------------------------------


@tags.command("ls")
@json_option
@csv_option
@click.pass_context
@one_format
def tags_ls(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List tags."""
    run(
        ctx,
        lambda s, wid: show_list(s.toggl.tags.list(wid), ("id", "name"), as_json, as_csv, "Tags"),
    )


add_edit_rm(
    tags,
    "tags",
    "tag",
    edit_help="Rename a tag.",
    rm_help="Delete a tag (entries lose it).",
)
