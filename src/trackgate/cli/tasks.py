"""``trackgate tasks``: a project's tasks."""

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
from trackgate.cli.exits import one_format
from trackgate.cli.output import say
from trackgate.cli.session import Session

tasks = group("tasks", "Tasks of a project.")


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
@one_format
def tasks_ls(ctx: click.Context, project: str, as_json: bool, as_csv: bool) -> None:
    """List a project's tasks."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        found = s.toggl.tasks.list(wid, pid)
        show_list(found, ("id", "name", "active", "estimated_seconds"), as_json, as_csv, "Tasks")

    run(ctx, work)


@tasks.command("add")
@click.argument("name")
@project_required
@json_option
@click.pass_context
def tasks_add(ctx: click.Context, name: str, project: str, as_json: bool) -> None:
    """Make a task in a project."""

    def work(s: Session, wid: int) -> None:
        pid = s.find("projects", project, wid)["id"]
        show_one(s.toggl.tasks.create(wid, pid, name), as_json, "Made task")

    run(ctx, work)


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
        show_one(
            s.toggl.tasks.update(wid, pid, _task_id(s, wid, pid, ref), **fields),
            as_json,
            "Changed task",
        )

    run(ctx, work)


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
        confirm(f"task {ref}", yes)
        s.toggl.tasks.delete(wid, pid, task_id)
        say(f"Deleted task {ref}.")

    run(ctx, work)
