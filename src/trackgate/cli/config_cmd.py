"""``trackgate config``: profiles in config.toml (tokens never printed)."""

from __future__ import annotations

import click

from trackgate.cli import exits
from trackgate.cli.lazy import Group, suggestion
from trackgate.cli.output import emit_json, say
from trackgate.cli.profiles import (
    KEYS,
    SECRET_KEYS,
    config_path,
    profile_name,
    read_config,
    write_config,
)
from trackgate.cli.target import resolve

app = Group("config", help="Profiles in ~/.config/trackgate/config.toml.", no_args_is_help=True)
profile_option = click.option("--profile", help="Profile (default: the current one).")


def _read() -> dict[str, object]:
    try:
        return read_config()
    except ValueError as exc:
        exits.fail(str(exc), exits.USAGE)


def _chosen(ctx: click.Context, profile: str | None) -> str:
    flags = ctx.find_root().obj or {}
    return profile_name(_read(), profile or flags.get("profile"))


@app.command(
    "set",
    help=f"Set the KEY of a profile to VALUE (the file is written 0600). KEY is one of: "
    f"{', '.join(KEYS)}.",
)
@click.argument("key")
@click.argument("value")
@profile_option
@click.pass_context
def set_value(ctx: click.Context, key: str, value: str, profile: str | None) -> None:
    if key not in KEYS:
        hint = suggestion(key, list(KEYS))
        exits.fail(f"unknown key {key!r}.{hint} Keys: {', '.join(KEYS)}", exits.USAGE)
    config = _read()
    name = _chosen(ctx, profile)
    profiles = dict(config.get("profiles") or {})  # type: ignore[call-overload]
    profiles[name] = {**dict(profiles.get(name) or {}), key: value}
    config["profiles"] = profiles
    say(f"Set {key} of profile {name} in {write_config(config)}.")


@app.command("unset")
@click.argument("key")
@profile_option
@click.pass_context
def unset(ctx: click.Context, key: str, profile: str | None) -> None:
    """Remove a key from a profile."""
    config = _read()
    name = _chosen(ctx, profile)
    profiles = dict(config.get("profiles") or {})  # type: ignore[call-overload]
    current = dict(profiles.get(name) or {})
    if key not in current:
        exits.fail(f"profile {name} has no {key}", exits.NOTHING)
    del current[key]
    profiles[name] = current
    config["profiles"] = profiles
    write_config(config)
    say(f"Removed {key} from profile {name}.")


@app.command("use")
@click.argument("name")
def use(name: str) -> None:
    """Make a profile the default."""
    config = _read()
    config["default_profile"] = name
    say(f"Default profile: {name} ({write_config(config)}).")


@app.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def show(ctx: click.Context, as_json: bool) -> None:
    """What the tracking commands will use now (flags, environment, profile); secrets hidden."""
    config = _read()
    flags = ctx.find_root().obj or {}
    target = resolve(flags)
    options = {
        k: ("***" if k in {"api_token", "gateway_key", "password"} and v else v)
        for k, v in target.options.items()
    }
    profiles = {
        name: {k: ("***" if k in SECRET_KEYS else v) for k, v in dict(p).items()}
        for name, p in dict(config.get("profiles") or {}).items()  # type: ignore[call-overload]
    }
    shown = {
        "file": str(config_path()),
        "profile": target.profile,
        "mode": "gateway" if target.via_gateway else ("direct" if options else "none"),
        "using": options,
        "timezone": target.timezone,
        "workspace": target.workspace,
        "profiles": profiles,
    }
    if as_json:
        emit_json(shown)
        return
    for key, value in shown.items():
        say(f"{key}: {value}")
