"""``trackgate quota``: what is left of Toggl's hourly request quota."""

from __future__ import annotations

from typing import Any

import click

from trackgate.cli.exits import reported
from trackgate.cli.output import emit_json, emit_table, say
from trackgate.cli.session import open_session
from trackgate.client.errors import NotFoundError


@click.command("quota")
@click.option("--json", "as_json", is_flag=True, help="Print the buckets as JSON.")
@click.pass_context
def quota(ctx: click.Context, as_json: bool) -> None:
    """Remaining requests per organization (and the user-scoped bucket), and when they reset.

    Asks ``GET /me/quota``; through a gateway, the connection's recorded quota; else the
    quota headers of the last answer."""
    session = open_session(ctx)
    with reported():
        buckets: list[dict[str, Any]]
        toggl = session.toggl
        connection = session.target.options.get("connection")
        if toggl.endpoint.via_gateway and connection:
            recorded = toggl.connections.get(str(connection)).quota or {}
            buckets = list(recorded.get("buckets") or [])
            if not buckets and recorded:
                buckets = [{"organization_id": None, **recorded}]
        else:
            try:
                buckets = [b.raw for b in toggl.me.quota()]
            except NotFoundError:
                toggl.me.get()
                seen = toggl.quota
                buckets = (
                    [
                        {
                            "organization_id": None,
                            "remaining": seen.remaining,
                            "resets_in_secs": seen.resets_in,
                        }
                    ]
                    if seen
                    else []
                )
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
