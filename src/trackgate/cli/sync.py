"""``trackgate sync``: send the changes journaled while offline or out of quota."""

from __future__ import annotations

import sys

import click

from trackgate.cli import exits
from trackgate.cli.exits import reported
from trackgate.cli.output import emit_json, note, say
from trackgate.cli.session import Session, open_session


def _elsewhere(session: Session, here: bool) -> None:
    """Changes journaled while the CLI pointed at another server: sent here when the person
    says so (asked on a terminal, or ``--here``), else kept and said so. Never dropped."""
    others = session.journal.elsewhere(session.target.fingerprint)
    if not others:
        return
    servers = sorted({str(c.get("server") or "another profile") for c in others})
    where = ", ".join(servers)
    current = session.target.server_url
    if not here and sys.stdin.isatty() and sys.stderr.isatty():
        here = click.confirm(
            f"{len(others)} change(s) were journaled for {where}. Send them to {current}?",
            default=False,
            err=True,
        )
    if here:
        session.journal.move_here(session.target.fingerprint)
        return
    note(
        f"trackgate: {len(others)} change(s) journaled for {where} are kept, not sent to "
        f"{current}: point the CLI at that server and run `trackgate sync`, or send them "
        "here with `trackgate sync --here`"
    )


@click.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@click.option(
    "--here",
    is_flag=True,
    help="Send changes journaled for another server to this one too (asked on a terminal).",
)
@click.pass_context
def sync(ctx: click.Context, as_json: bool, here: bool) -> None:
    """Replay the journal in order. Exit 1 when there was nothing to send."""
    session = open_session(ctx, replay_journal=False)
    with reported():
        _elsewhere(session, here)
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
