"""``trackgate accounts``: gateway accounts, each with its connections and keys."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from trackgate.cli.common import DataDirOption, fail, opened, print_json, settings_for
from trackgate.gateway.connections import stamp
from trackgate.gateway.keys import create_account, issue_key
from trackgate.gateway.revocation import revoke_account
from trackgate.storage.models import Account

app = typer.Typer(help="Manage gateway accounts.", no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Option(
        ..., "--name", metavar="NAME", help="A name people recognise, e.g. a team."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Make an account and its first key; the key is shown this once."""
    with opened(settings_for(data_dir)) as runtime:
        try:
            with runtime.db.write() as session:
                account = create_account(session, name)
                issued = issue_key(session, account.id, name="default")
                account_id = account.id
        except ValueError as exc:
            fail(str(exc))
        print_json({"account_id": account_id, "api_key": issued.api_key, "key_id": issued.key_id})


@app.command("list")
def list_accounts(data_dir: Path | None = DataDirOption) -> None:
    """List accounts (ids, names, creation times)."""
    with opened(settings_for(data_dir)) as runtime, runtime.db.read() as session:
        accounts = session.scalars(select(Account).order_by(Account.created_at, Account.id))
        print_json(
            [
                {"account_id": a.id, "name": a.name, "created_at": stamp(a.created_at)}
                for a in accounts
            ]
        )


@app.command("revoke")
def revoke(
    # Described in the docstring: an argument's own help row would show a type tag.
    account_id: str = typer.Argument(..., metavar="ACCOUNT_ID", hidden=True),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Revoke every key of the account ACCOUNT_ID: its callers are refused until a new key
    is issued for it (`keys create`).

    Running servers refuse its keys within 1 s when they share TRACKGATE_REDIS_URL with this
    command, and within 5 s otherwise.
    """
    with opened(settings_for(data_dir)) as runtime:
        try:
            revoked = revoke_account(runtime, account_id)
        except LookupError:
            fail(f"no account {account_id}")
        print_json({"account_id": revoked.account_id, "revoked_keys": revoked.revoked_key_ids})
