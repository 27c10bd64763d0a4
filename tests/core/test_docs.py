"""The README documents every setting, command and flag, or a test fails."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from trackgate.cli.main import app
from trackgate.config import ENVIRONMENT
from trackgate.gateway import scopes

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "trackgate") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        command = getattr(command, "target", command)  # a Typer command behind its delegate
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(app)


@pytest.mark.parametrize("variable", sorted(ENVIRONMENT))
def test_every_environment_variable_is_documented(variable: str) -> None:
    assert f"`{variable}`" in README


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: p)
def test_every_command_is_documented(path: str) -> None:
    parts = path.split(" ")
    leaf = parts[-1]
    parent = " ".join(parts[:-1])
    assert path in README or (f"{parent} " in README and leaf in README)


def test_every_serve_flag_is_documented() -> None:
    serve = dict(COMMANDS)["trackgate serve"]
    for param in serve.params:
        for flag in getattr(param, "opts", []):
            if flag.startswith("--"):
                assert f"`{flag}" in README, flag


def test_readme_shows_the_two_commands_first() -> None:
    assert README.index("make serve") < README.index("## Configuration")
    assert "make test" in README


def test_the_scope_table_is_the_gateways() -> None:
    """The README's table of scopes says what ``trackgate.gateway.scopes`` says, row for row,
    and names the consent page's words for each."""
    rows = re.findall(r"^\| `([a-z:]+)` \| (.+) \|$", README, flags=re.MULTILINE)
    documented = {name: allows for name, allows in rows if name in scopes.ALL}
    assert documented == {scope.name: scope.allows for scope in scopes.SCOPES}
    flowing = " ".join(README.split())
    for scope in scopes.SCOPES:
        assert f'"{scope.consent}"' in flowing, scope.name
