"""Every help screen renders plainly: no type tags, metavars that say what to type, and the
serve options name the TRACKGATE_* variable each one reads."""

from __future__ import annotations

import re

import click
import pytest
import typer.main
from typer.testing import CliRunner

from trackgate.cli.main import app
from trackgate.config import FLAGS, variable_for

TYPE_TAG = re.compile(r"<(bool|str|int|float|path|text|integer)>", re.IGNORECASE)


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_paths(command, (*prefix, name)))
    return found


COMMAND_PATHS = _paths(typer.main.get_command(app))  # type: ignore[arg-type]


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
    assert "Usage: trackgate keys revoke [OPTIONS] {KEY_ID}" in text
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
