"""``GET /``: a small page saying what this server is and where to go from here."""

from __future__ import annotations

from html import escape

from trackgate import __version__
from trackgate.config import Settings
from trackgate.pages.shell import document


def _service_part(root: str) -> str:
    return (
        "<h2>Toggl Track API</h2>"
        f"<p>A Toggl Track API v9-compatible service answers at <code>{escape(root)}/api/v9"
        "</code>: point a Toggl client there, with an API token of a user of this server.</p>"
    )


def _gateway_part(settings: Settings) -> str:
    upstream = escape(settings.upstream_url or "the service on this server")
    return (
        "<h2>Gateway</h2>"
        "<p>Apps holding a gateway key call Toggl Track through <code>/toggl-track/...</code> "
        f"(upstream: {upstream}) and manage connections at <code>/connections</code>.</p>"
        "<h2>Connecting your Toggl Track account</h2>"
        "<p>If an app asked you to connect your account, it gave you a link to this server "
        "ending in <code>/connect?session_token=...</code>. Open that link: it says who asks "
        "for access and what they will be able to do.</p>"
    )


def landing_page(settings: Settings) -> str:
    parts = [
        "<h1>trackgate</h1>",
        "<p>This server gives people and AI agents safe, managed access to Toggl Track.</p>",
    ]
    if settings.service_enabled:
        parts.append(_service_part(settings.root_url))
    if settings.gateway_enabled:
        parts.append(_gateway_part(settings))
    parts.append(
        '<p><a href="/docs">API documentation</a> · <a href="/healthz">health</a> · '
        f"version {escape(__version__)}</p>"
    )
    return document("trackgate", "".join(parts))
