"""``trackgate keys``: gateway API keys. A key is shown once, when it is made; it carries its
scopes and, optionally, a budget of upstream requests per hour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trackgate.cli.common import (
    USAGE_ERROR,
    DataDirOption,
    fail,
    opened,
    print_json,
    settings_for,
)
from trackgate.gateway import scopes
from trackgate.gateway.connections import stamp
from trackgate.gateway.keys import issue_key, list_keys
from trackgate.gateway.revocation import revoke_key_everywhere
from trackgate.storage.models import Account, ApiKey

app = typer.Typer(help="Manage gateway API keys.", no_args_is_help=True)

AccountOption = typer.Option(..., "--account", metavar="ACCOUNT_ID", help="The account id.")


def key_json(key: ApiKey) -> dict[str, Any]:
    """What may be shown about a key: never the key, nor its digest. ``budget`` only when
    the key has one."""
    shown: dict[str, Any] = {
        "key_id": key.id,
        "prefix": key.prefix,
        "name": key.name,
        "scopes": scopes.ordered(scopes.read_stored(key.scopes)),
    }
    if key.budget is not None:
        shown["budget"] = key.budget
    shown["created_at"] = stamp(key.created_at)
    shown["revoked_at"] = stamp(key.revoked_at)
    return shown


SCOPE_HELP = (
    f"What the key may do: {', '.join(scopes.NAMES)}; repeat for several "
    f"(default: {' '.join(scopes.ordered(scopes.DEFAULT))})."
)


@app.command("create")
def create(
    account: str = AccountOption,
    name: str | None = typer.Option(None, "--name", metavar="NAME", help="A label for the key."),
    scope: list[str] | None = typer.Option(None, "--scope", metavar="SCOPE", help=SCOPE_HELP),
    budget: int | None = typer.Option(
        None,
        "--budget",
        metavar="N",
        min=1,
        help="Upstream requests per hour this key may cause; past it, calls that would reach "
        "the upstream get 429 budget_exhausted (answers from the quota shield still work).",
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Issue a new key for an account; the key is shown this once."""
    try:
        chosen = scopes.parse(scope) if scope else None
    except ValueError as exc:
        fail(str(exc), USAGE_ERROR)
    with opened(settings_for(data_dir)) as runtime:
        try:
            with runtime.db.write() as session:
                issued = issue_key(session, account, name=name, scopes=chosen, budget=budget)
        except LookupError:
            fail(f"no account {account}")
        made: dict[str, Any] = {
            "key_id": issued.key_id,
            "api_key": issued.api_key,
            "scopes": scopes.ordered(issued.scopes),
        }
        if issued.budget is not None:
            made["budget"] = issued.budget
        print_json(made)


@app.command("list")
def list_command(account: str = AccountOption, data_dir: Path | None = DataDirOption) -> None:
    """List an account's keys: ids, prefixes, names and dates, never the keys."""
    with opened(settings_for(data_dir)) as runtime, runtime.db.read() as session:
        if session.get(Account, account) is None:
            fail(f"no account {account}")
        print_json([key_json(k) for k in list_keys(session, account)])


@app.command("revoke")
def revoke(
    # Described in the docstring: an argument's own help row would show a type tag.
    key_id: str = typer.Argument(..., metavar="KEY_ID", hidden=True),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Revoke the key KEY_ID (an id from `keys list`).

    Running servers stop accepting it within 1 s when they share TRACKGATE_REDIS_URL with
    this command, and within 5 s otherwise (when their caches of verified keys expire).
    """
    with opened(settings_for(data_dir)) as runtime:
        try:
            key = key_json(revoke_key_everywhere(runtime, key_id))
        except LookupError:
            fail(f"no key {key_id}")
        print_json(key)
