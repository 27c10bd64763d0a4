"""``trackgate users``: people of the embedded Toggl-compatible service."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from sqlalchemy import select

from trackgate.cli.common import DataDirOption, fail, opened, print_json, settings_for
from trackgate.service import wire
from trackgate.service.errors import BadRequest
from trackgate.service.users import NewUser, create_user, reset_token, reveal_token, user_by_email
from trackgate.storage.models import User

app = typer.Typer(
    help="Manage users of the embedded Toggl-compatible service.", no_args_is_help=True
)


def read_password(given: str | None, from_stdin: bool) -> str:
    """The password from the flag, the first line of stdin, or a prompt on a terminal."""
    if given is not None and from_stdin:
        fail("give --password or --password-stdin, not both", 2)
    if given is not None:
        return given
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: standard input held no password", 2)
        return password
    if sys.stdin.isatty():
        answer: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
        return answer
    fail("no password: pass --password-stdin (or --password P, or run on a terminal)", 2)


@app.command("create")
def create(
    email: str = typer.Option(..., "--email", metavar="EMAIL", help="Login e-mail."),
    password: str | None = typer.Option(
        None,
        "--password",
        metavar="PASSWORD",
        help="Login password (6+ characters). Other users can see it in `ps`: "
        "prefer the prompt (leave this out on a terminal) or --password-stdin.",
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    fullname: str = typer.Option("", "--fullname", metavar="NAME", help="Full name."),
    timezone: str = typer.Option(
        "UTC", "--timezone", metavar="ZONE", help="IANA time zone, e.g. Europe/Berlin."
    ),
    workspace: int | None = typer.Option(
        None,
        "--workspace",
        metavar="WID",
        help="Join this existing workspace instead of making one.",
    ),
    role: str = typer.Option(
        "member", "--role", metavar="ROLE", help="Role in --workspace: member or admin."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a user with an organization and workspace (or in --workspace); print the user
    as GET /me shows it."""
    password = read_password(password, password_stdin)
    with opened(settings_for(data_dir), create=True) as runtime:
        with runtime.db.write() as session:
            spec = NewUser(email, password, fullname, timezone, workspace, role)
            try:
                user, token = create_user(session, runtime.keyring, spec)
            except BadRequest as exc:  # what was typed: a usage error, exit 2
                fail(exc.message, 2)
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
    email: str = typer.Option(..., "--email", metavar="EMAIL", help="The user's e-mail."),
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
