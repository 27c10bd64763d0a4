"""``trackgate operators`` and ``trackgate console``: the web console's people, from the shell.

The first operator is made here (there is nobody yet to invite them); after that people join
by invitation links, which an operator or the shell hands out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from trackgate.cli.common import DataDirOption, fail, opened, print_json, settings_for
from trackgate.gateway.connections import stamp
from trackgate.pages.console.people import (
    ROLES,
    MemberExists,
    create_invite,
    create_member,
    invite_path,
)

operators = typer.Typer(help="Operators of the web console.", no_args_is_help=True)
console = typer.Typer(help="The web console: invitations.", no_args_is_help=True)

EmailOption = typer.Option(..., "--email", metavar="EMAIL", help="The person's email.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("no terminal to ask for the password on: use --password-stdin")
    first: str = typer.prompt("Password", hide_input=True, err=True)
    again: str = typer.prompt("Password again", hide_input=True, err=True)
    if first != again:
        fail("the passwords differ")
    return first


@operators.command("create")
def create_operator(
    email: str = EmailOption,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Make an operator of the web console (asks for the password unless --password-stdin)."""
    password = _password(password_stdin)
    settings = settings_for(data_dir)
    with opened(settings) as runtime:
        try:
            with runtime.db.write() as session:
                member = create_member(session, email, password, operator=True)
                made = {"member_id": member.id, "email": member.email, "operator": True}
        except MemberExists:
            fail(f"{email.strip()} is a member already")
        except ValueError as exc:
            fail(f"give {exc}")
        print_json(made)
    sys.stderr.write(f"trackgate: sign in at {settings.root_url}/console/signin\n")


@console.command("invite")
def invite(
    email: str = EmailOption,
    account: str | None = typer.Option(
        None,
        "--account",
        metavar="ACCOUNT_ID",
        help="The account to join (needed unless --operator).",
    ),
    role: str = typer.Option(
        "member", "--role", metavar="ROLE", help=f"Role in the account: {', '.join(ROLES)}."
    ),
    operator: bool = typer.Option(False, "--operator", help="Make the person an operator."),
    url: str | None = typer.Option(
        None,
        "--url",
        metavar="URL",
        help="The server's root URL for the link (default: TRACKGATE_PUBLIC_URL, else the "
        "default listening address).",
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Print a one-time sign-up link for EMAIL, valid 7 days, as JSON with "url"."""
    settings = settings_for(data_dir)
    if settings.signup == "closed":
        sys.stderr.write("trackgate: warning: TRACKGATE_SIGNUP is closed; the link will not work\n")
    root = (url or settings.root_url).rstrip("/")
    with opened(settings) as runtime:
        try:
            with runtime.db.write() as session:
                issued = create_invite(session, email, account, role, operator=operator)
        except LookupError as exc:
            fail(str(exc).strip("'\""))
        except ValueError as exc:
            fail(str(exc))
        print_json(
            {
                "url": root + invite_path(issued.token),
                "email": issued.email,
                "account_id": issued.account_id,
                "role": issued.role,
                "operator": issued.operator,
                "expires_at": stamp(issued.expires_at),
            }
        )
