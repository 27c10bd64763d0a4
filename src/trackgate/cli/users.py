"""``trackgate users``: people of the embedded Toggl-compatible service."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from trackgate.cli.common import DataDirOption, fail, opened, print_json, settings_for
from trackgate.service import wire
from trackgate.service.users import NewUser, create_user, reset_token, reveal_token, user_by_email
from trackgate.storage.models import User

app = typer.Typer(
    help="Manage users of the embedded Toggl-compatible service.", no_args_is_help=True
)


@app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="Login e-mail."),
    password: str = typer.Option(..., "--password", help="Login password (6+ characters)."),
    fullname: str = typer.Option("", "--fullname", help="Full name."),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone, e.g. Europe/Berlin."),
    workspace: int | None = typer.Option(
        None, "--workspace", help="Join this existing workspace instead of making one."
    ),
    role: str = typer.Option("member", "--role", help="Role in --workspace: member or admin."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a user with an organization and workspace (or in --workspace); print the user
    as GET /me shows it."""
    with opened(settings_for(data_dir)) as runtime:
        with runtime.db.write() as session:
            spec = NewUser(email, password, fullname, timezone, workspace, role)
            user, token = create_user(session, runtime.keyring, spec)
            body = wire.me(user, token)
        print_json(body)


@app.command("list")
def list_users(data_dir: Path | None = DataDirOption) -> None:
    """List users (no tokens)."""
    with opened(settings_for(data_dir)) as runtime, runtime.db.read() as session:
        users = session.scalars(select(User).order_by(User.id))
        print_json(
            [
                {
                    "id": u.id,
                    "email": u.email,
                    "fullname": u.fullname,
                    "default_workspace_id": u.default_workspace_id,
                }
                for u in users
            ]
        )


@app.command("reset-token")
def reset(
    email: str = typer.Option(..., "--email", help="The user's e-mail."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Issue a new API token for a user; the old one stops working at once."""
    with opened(settings_for(data_dir)) as runtime:
        with runtime.db.write() as session:
            user = user_by_email(session, email)
            if user is None:
                fail(f"no user with e-mail {email}")
            token = reset_token(session, runtime.keyring, user)
            assert reveal_token(runtime.keyring, user) == token
        print_json({"id": user.id, "email": user.email, "api_token": token})
