"""The documentation (the README and the site's pages) names every setting, command and flag,
or a test fails. The configuration page is read as the site shows it: with the tables
``docs/settings_hook.py`` writes into it at build time from ``trackgate.config``."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import click
import pytest

from trackgate import config
from trackgate.cli.main import app
from trackgate.config import ENVIRONMENT
from trackgate.gateway import scopes

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _settings_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_hook", ROOT / "docs" / "settings_hook.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _settings_hook()
CONFIGURATION = HOOK.render((ROOT / "docs" / "configuration.md").read_text())
PAGES = {page.name: page.read_text() for page in sorted((ROOT / "docs").glob("*.md"))}
PAGES["configuration.md"] = CONFIGURATION
DOCUMENTATION = "\n".join([README, *PAGES.values()])


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
    assert f"`{variable}`" in DOCUMENTATION


def _rows(markdown: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in markdown.splitlines()
        if line.startswith("| ")
    ]


def test_the_configuration_page_lists_every_setting() -> None:
    """A row per variable the server reads, with its meaning, and one per serve flag."""
    rows = _rows(CONFIGURATION)
    variables = {row[0].strip("`"): row for row in rows if row[0].startswith("`TRACKGATE_")}
    assert set(variables) == set(config.READERS) == set(ENVIRONMENT)
    for name, (field_name, _) in config.READERS.items():
        row = variables[name]
        assert ENVIRONMENT[name].split(";")[0] in row[-1], name
        flag = config.FLAGS.get(field_name)
        assert row[1] == (f"`{flag}`" if flag else ""), name
    assert "<!-- settings:" not in CONFIGURATION  # every mark was filled in
    serve = dict(COMMANDS)["trackgate serve"]
    shown = {row[0].strip("`").split(" ")[0] for row in rows if row[0].startswith("`--")}
    flags = {o for p in serve.params for o in getattr(p, "opts", []) if o.startswith("--")}
    assert shown == flags - {"--help"}
    assert "`TRACKGATE_RATE_LIMIT` |  | `10/second` |" in CONFIGURATION  # a default, as read


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: p)
def test_every_command_is_documented(path: str) -> None:
    parts = path.split(" ")
    leaf = parts[-1]
    parent = " ".join(parts[:-1])
    docs = DOCUMENTATION
    assert path in docs or (f"{parent} " in docs and leaf in docs)


def test_every_serve_flag_is_documented() -> None:
    serve = dict(COMMANDS)["trackgate serve"]
    for param in serve.params:
        for flag in getattr(param, "opts", []):
            if flag.startswith("--"):
                assert f"`{flag}" in CONFIGURATION, flag


def test_readme_shows_the_two_commands_first() -> None:
    assert README.index("make serve") < README.index("make test") < README.index("## Five minutes")


def test_readme_links_every_docs_page() -> None:
    for page in PAGES:
        assert f"](docs/{page})" in README, page


def test_the_scope_table_is_the_gateways() -> None:
    """The gateway page's table of scopes says what ``trackgate.gateway.scopes`` says, row for
    row, and names the consent page's words for each."""
    gateway = PAGES["gateway.md"]
    rows = re.findall(r"^\| `([a-z:]+)` \| (.+) \|$", gateway, flags=re.MULTILINE)
    documented = {name: allows for name, allows in rows if name in scopes.ALL}
    assert documented == {scope.name: scope.allows for scope in scopes.SCOPES}
    flowing = " ".join(gateway.split())
    for scope in scopes.SCOPES:
        assert f'"{scope.consent}"' in flowing, scope.name
