"""Which service the tracking commands talk to, from flags, then the environment, then the
profile: the first of those layers that names credentials decides, and a gateway key wins
over a Toggl token within a layer.

Environment: ``TOGGL_API_TOKEN`` with ``TOGGL_API_URL`` (the server's root or its
``/api/v9``: either spelling); ``MATON_API_KEY`` with ``TRACKGATE_GATEWAY_URL`` (the gateway's
root) and ``MATON_CONNECTION``; ``TRACKGATE_PROFILE`` picks the profile.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from trackgate.cli.profiles import profile, profile_name, read_config
from trackgate.client._frozen import Frozen, frozen
from trackgate.client.endpoint import GATEWAY_URL, TOGGL_API_URL

ENVIRONMENT = {
    "TOGGL_API_TOKEN": "api_token",
    "TOGGL_API_URL": "api_url",
    "MATON_API_KEY": "api_key",
    "TRACKGATE_GATEWAY_URL": "gateway_url",
    "MATON_CONNECTION": "connection",
}


@frozen
class Target(Frozen):
    """Credentials and URL for the SDK, plus the person's time zone and workspace choice."""

    options: dict[str, Any]
    profile: str
    timezone: str | None
    workspace: str | None

    @property
    def via_gateway(self) -> bool:
        return "gateway_key" in self.options

    @property
    def server_url(self) -> str:
        """Where changes go, for people (never a credential)."""
        return str(self.options.get("base_url") or "")

    @property
    def fingerprint(self) -> str:
        """Names this target in the journal and the cache without holding its secret."""
        material = "\n".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return hashlib.sha256(material.encode()).hexdigest()[:16]


def _environment() -> dict[str, Any]:
    return {key: os.environ[name] for name, key in ENVIRONMENT.items() if os.environ.get(name)}


def _has_credentials(layer: dict[str, Any]) -> bool:
    return bool(layer.get("api_key") or layer.get("api_token") or layer.get("email"))


def _options(chosen: dict[str, Any], layers: list[dict[str, Any]]) -> dict[str, Any]:
    def first(key: str) -> Any:
        return next((layer[key] for layer in layers if layer.get(key)), None)

    if chosen.get("api_key"):
        options: dict[str, Any] = {
            "gateway_key": chosen["api_key"],
            "base_url": first("gateway_url") or GATEWAY_URL,
        }
        if first("connection"):
            options["connection"] = first("connection")
        return options
    options = {"base_url": first("api_url") or TOGGL_API_URL}
    if chosen.get("api_token"):
        options["api_token"] = chosen["api_token"]
    else:
        options["email"] = chosen.get("email")
        options["password"] = chosen.get("password")
    return options


def resolve(flags: dict[str, Any]) -> Target:
    """The target for these root flags (``ctx.obj``); ``ValueError`` on a broken config file."""
    config = read_config()
    name = profile_name(config, flags.get("profile"))
    layers = [flags, _environment(), profile(config, name)]
    chosen = next((layer for layer in layers if _has_credentials(layer)), {})
    options = _options(chosen, layers) if chosen else {}

    def first(key: str) -> Any:
        return next((layer[key] for layer in layers if layer.get(key)), None)

    workspace = first("workspace")
    return Target(options, name, first("timezone"), str(workspace) if workspace else None)
