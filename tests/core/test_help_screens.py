"""Every help screen renders plainly: no type tags, metavars that say what to type, and the
serve options name the TRACKGATE_* variable each one reads."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import click
import pytest
from click.testing import CliRunner

from trackgate.cli.main import app
from trackgate.cli.profiles import KEYS
from trackgate.config import ENVIRONMENT, FLAGS, READERS, default_data_dir, variable_for

TYPE_TAG = re.compile(r"<(bool|str|int|float|path|text|integer)>", re.IGNORECASE)


def _paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    context = click.Context(group) if isinstance(group, click.Group) else None
    names = group.list_commands(context) if context else list(group.commands)
    for name in names:
        command = group.get_command(context, name) if context else group.commands[name]
        command = getattr(command, "target", command)  # a Typer command behind its delegate
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found.extend(_paths(command, (*prefix, name)))
    return found


COMMAND_PATHS = _paths(app)


def help_of(*path: str) -> str:
    done = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_help_has_no_type_tags(path: tuple[str, ...]) -> None:
    text = help_of(*path)
    assert not TYPE_TAG.search(text), text
    assert "``" not in text


def test_keys_revoke_names_its_argument() -> None:
    text = help_of("keys", "revoke")
    assert "Usage: trackgate keys revoke [OPTIONS] KEY_ID\n" in text
    assert "KEY_ID (an id from `keys list`)" in text


def test_secrets_rotate_help_reads_as_sentences() -> None:
    flat = " ".join(help_of("secrets", "rotate").split())
    assert "first set it to NEW,OLD (NEW from `trackgate secrets generate`, in front)" in flat


def test_serve_help_names_the_variable_of_each_option() -> None:
    flat = " ".join(help_of("serve").split())
    shown = 0
    for field, flag in FLAGS.items():
        variable = variable_for(field)
        if variable is None:
            continue
        option_text = flat.split(f"{flag} ", 1)[1]
        assert option_text.split(" --", 1)[0].endswith(f"[env: {variable}]"), flag
        shown += 1
    assert shown >= 3  # --data-dir, --upstream, --public-url


BRACES = re.compile(r"\{[A-Z_]+\}")


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_help_screen_renders_without_braces(path: tuple[str, ...]) -> None:
    text = help_of(*path)
    assert text.startswith(f"Usage: trackgate {' '.join(path)}"), text
    assert not BRACES.search(text), text


def usage_error(*args: str) -> str:
    done = CliRunner().invoke(app, list(args), terminal_width=100)
    assert done.exit_code == 2, done.output
    return done.output


GROUPS = [()] + [path for path in COMMAND_PATHS if "COMMAND" in help_of(*path).split("\n")[0]]


@pytest.mark.parametrize("path", GROUPS, ids=lambda path: " ".join(path) or "trackgate")
def test_one_style_for_try_help_and_did_you_mean(path: tuple[str, ...]) -> None:
    name = (
        help_of(
            *path,
        )
        .split("Commands:", 1)[1]
        .split()[0]
    )
    said = usage_error(*path, name[:-1] + "x" + name[-1])
    assert f"Try '{' '.join(('trackgate', *path))} --help' for help." in said
    assert f"Error: No such command {name[:-1] + 'x' + name[-1]!r}. Did you mean {name!r}" in said
    assert "one of" not in said


def option_rows(text: str) -> dict[str, str]:
    """Each option's whole help text, by its flag."""
    options = text.split("Options:", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    flag = ""
    for line in options.splitlines():
        if line.startswith("  -"):
            flag = line.split()[0].rstrip(",")
            rows[flag] = line
        elif flag:
            rows[flag] += " " + line.strip()
    return {k: " ".join(v.split()) for k, v in rows.items()}


def test_every_serve_flag_names_its_variable() -> None:
    rows = option_rows(help_of("serve"))
    assert len(rows) >= 12
    for flag, row in rows.items():
        if flag in ("-h", "--help"):
            continue
        assert re.search(r"\[env: TRACKGATE_[A-Z_]+\]", row), row


def test_serve_help_lists_the_variables_that_have_no_flag() -> None:
    text = help_of("serve")
    epilog = text.split("read from the environment only:", 1)[1]
    flagless = [name for name, (field, _) in READERS.items() if field not in FLAGS]
    assert "TRACKGATE_SECRET_KEY" in flagless
    for name in flagless:
        assert f"{name}: {ENVIRONMENT[name]}" in epilog


def test_data_dir_shows_the_real_default_path() -> None:
    for path in (("serve",), ("users", "list"), ("db", "upgrade")):
        done = subprocess.run(  # a process of its own: the path is read at import, from HOME
            [sys.executable, "-m", "trackgate", *path, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        shown = "".join(done.stdout.split())  # a long path may be wrapped at a hyphen
        assert f"Datadirectory(default:{default_data_dir()})." in shown


def test_config_set_lists_its_keys() -> None:
    flat = " ".join(help_of("config", "set").split())
    assert f"KEY is one of: {', '.join(KEYS)}." in flat
    said = usage_error("config", "set", "apitoken", "x")
    assert "Did you mean 'api_token'" in said
