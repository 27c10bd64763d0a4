"""``trackgate quota``: what is left of Toggl's hourly request quota."""

from __future__ import annotations

import click

from trackgate.cli.exits import reported
from trackgate.cli.output import emit_json, emit_table, say
from trackgate.cli.session import open_session


@click.command("quota")
@click.option("--json", "as_json", is_flag=True, help="Print the buckets as JSON.")
@click.pass_context
def quota(ctx: click.Context, as_json: bool) -> None:
    """Remaining requests per organization (and the user-scoped bucket), and when they reset.

    Through a gateway, the connection's recorded quota (no request of the quota spent); else
    `GET /me/quota`; else the quota headers of the last answer."""
    session = open_session(ctx)
    with reported():
        buckets = [bucket.raw for bucket in session.toggl.me.quota_left()]
    if as_json:
        emit_json(buckets)
        return
    if not buckets:
        say("This server reports no quota.")
        return
    rows = [
        (
            b.get("organization_id") or "user (/me)",
            b.get("remaining"),
            b.get("total", ""),
            b.get("resets_in_secs", b.get("resets_in")),
        )
        for b in buckets
    ]
    emit_table(("organization", "remaining", "of", "resets in (s)"), rows, title="Quota")
