"""A command group that imports a command's module only when that command runs, so
``trackgate now`` never loads the server stack and ``trackgate --help`` loads no command.

The tracking commands are plain click commands: Typer builds a pydantic adapter for every
parameter it parses, which alone costs more than the whole start-up budget. The server's
commands stay on Typer and are handed their arguments untouched."""

from __future__ import annotations

import importlib
from typing import Any

import click


class Lazy:
    """Where a command lives (``module:attribute``) and its one-line help for listings.

    A plain class: a dataclass compiles its methods when defined, on every start."""

    __slots__ = ("target", "help")

    def __init__(self, target: str, help: str) -> None:
        self.target = target
        self.help = help


class TyperDelegate(click.Command):
    """Runs a Typer command or group with the rest of the command line as it was typed."""

    def __init__(self, name: str, target: Any, help_text: str) -> None:
        super().__init__(
            name,
            help=help_text,
            add_help_option=False,
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
            params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        )
        self.target = target

    def invoke(self, ctx: click.Context) -> Any:
        return self.target.main(
            args=list(ctx.params["args"]), prog_name=ctx.command_path, standalone_mode=True
        )


#: How every help screen is asked for, and named in "Try ... for help." (the first one).
HELP_OPTIONS = ["--help", "-h"]


def _plain_usage(command: Any) -> None:
    """Arguments shown in the usage line as click shows them (``KEY_ID``, ``[PATH]``), not
    Typer's ``{KEY_ID}``, through every subcommand."""
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") == "argument":  # Typer bundles its own click
            shown = param.metavar or (param.name or "").upper()
            shown = shown if param.required else f"[{shown}]"
            param._usage_display_name = lambda shown=shown, p=param: (
                shown + ("..." if p.nargs != 1 else "")
            )
    for sub in getattr(command, "commands", {}).values():
        _plain_usage(sub)


def load(name: str, lazy: Lazy) -> click.Command:
    """The command ``lazy`` names: a click command as is, Typer ones behind a delegate."""
    module_name, _, attribute = lazy.target.partition(":")
    target: Any = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, click.Command):
        return target
    import typer
    import typer.main

    # Plain help screens: paragraphs rewrapped, no type tags such as <bool> or <str>.
    command: Any
    if isinstance(target, typer.Typer):
        target.rich_markup_mode = None
        command = typer.main.get_group(target)  # a group even with one command (db upgrade)
    else:
        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        # a command's __epilog__ ends its help screen
        single.command(name, epilog=getattr(target, "__epilog__", None))(target)
        command = typer.main.get_command(single)
    _plain_usage(command)
    _help_options(command)
    return TyperDelegate(name, command, lazy.help)


def _help_options(command: Any) -> None:
    command.context_settings = {**command.context_settings, "help_option_names": HELP_OPTIONS}
    for sub in getattr(command, "commands", {}).values():
        _help_options(sub)


def suggestion(name: str, choices: list[str]) -> str:
    """`` Did you mean 'x'?`` for a mistyped name close to one of ``choices``, else ''."""
    import difflib

    close = difflib.get_close_matches(name, choices)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


class Group(click.Group):
    """A group that answers a mistyped command as the Typer ones do: one line naming it,
    ``Did you mean 'x'?``, and ``Try '... --help' for help.``"""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        if self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            ctx.fail(f"No such command {name!r}.{suggestion(name, self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)


class LazyGroup(Group):
    """A group whose commands, named in ``lazy``, are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, Lazy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = load(cmd_name, self.lazy[cmd_name])
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec.help) for name, spec in self.lazy.items()])
