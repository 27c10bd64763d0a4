"""Profiles in ``~/.config/trackgate/config.toml`` (``$XDG_CONFIG_HOME`` honoured).

The file holds tokens, so it is written 0600 (and its directory 0700). Layout::

    default_profile = "work"

    [profiles.work]
    api_token = "..."
    api_url = "https://api.track.toggl.com/api/v9"
    timezone = "Europe/Berlin"
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

KEYS = (
    "api_url",
    "api_token",
    "email",
    "password",
    "gateway_url",
    "api_key",
    "connection",
    "timezone",
    "workspace",
)
SECRET_KEYS = frozenset({"api_token", "password", "api_key"})


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "trackgate"


def config_path() -> Path:
    return config_dir() / "config.toml"


def read_config() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    import tomllib  # only when there is a file to read: every command asks

    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def render(config: dict[str, Any]) -> str:
    lines = [f"{k} = {_toml_value(v)}" for k, v in config.items() if not isinstance(v, dict)]
    for name, profile in sorted(dict(config.get("profiles") or {}).items()):
        lines += ["", f"[profiles.{json.dumps(name)}]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in profile.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def write_config(config: dict[str, Any]) -> Path:
    """Write the file atomically, readable by its owner only."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(render(config))
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def profile_name(config: dict[str, Any], flag: str | None) -> str:
    """``--profile``, else ``TRACKGATE_PROFILE``, else the file's default, else "default"."""
    return (
        flag
        or os.environ.get("TRACKGATE_PROFILE")
        or str(config.get("default_profile") or "default")
    )


def profile(config: dict[str, Any], name: str) -> dict[str, Any]:
    found = dict(config.get("profiles") or {}).get(name)
    return dict(found) if isinstance(found, dict) else {}
