"""``trackgate sync``: send the changes journaled while offline or out of quota."""

from __future__ import annotations

import click

from trackgate.cli import exits
from trackgate.cli.exits import reported
from trackgate.cli.output import emit_json, say
from trackgate.cli.session import open_session


@click.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@click.pass_context
def sync(ctx: click.Context, as_json: bool) -> None:
    """Replay the journal in order. Exit 1 when there was nothing to send."""
    session = open_session(ctx, replay_journal=False)
    with reported():
        if not session.pending():
            if as_json:
                emit_json({"sent": 0, "rejected": 0, "left": 0})
            else:
                say("Nothing to send.")
            raise click.exceptions.Exit(exits.NOTHING)
        result = session.flush_journal(quiet=True)
        assert result is not None
        if as_json:
            emit_json({"sent": result.sent, "rejected": len(result.rejected), "left": result.left})
        else:
            say(f"Sent {result.sent} change(s); {result.left} left.")
        if result.stopped_by is not None:
            exits.fail(
                f"{exits.describe(result.stopped_by)}; {result.left} change(s) still journaled",
                exits.code_for(result.stopped_by),
            )
