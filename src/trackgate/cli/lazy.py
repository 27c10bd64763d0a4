"""A command group that imports a command's module only when that command runs, so
``trackgate now`` never loads the server stack and ``trackgate --help`` loads no command."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """Where a command lives (``module:attribute``, a function or a Typer) and its one-line help."""

    target: str
    help: str


class _Placeholder(TyperCommand):
    """Stands for a command not yet imported: enough for listings and ``--help``."""


def load(name: str, lazy: Lazy) -> _click.Command:
    """The real command for ``lazy``: a Typer becomes its group, a function its command."""
    module_name, _, attribute = lazy.target.partition(":")
    target: Any = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(rich_markup_mode=None)
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Commands named in ``LAZY`` (set by the subclass) are imported on first use."""

    lazy: dict[str, Lazy] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, spec in self.lazy.items():
            self.commands[name] = _Placeholder(name, help=spec.help)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = self.commands.get(cmd_name)
        if isinstance(command, _Placeholder) and not ctx.resilient_parsing:
            command = load(cmd_name, self.lazy[cmd_name])
            self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        rows = [
            (name, command.get_short_help_str(formatter.width - 20))
            for name, command in self.commands.items()
            if not command.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
