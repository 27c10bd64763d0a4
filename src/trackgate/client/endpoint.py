"""Where the client talks and how it proves who it is: Toggl directly (API token, or e-mail and
password) or a trackgate gateway (gateway key, optional connection id)."""

from __future__ import annotations

import base64

from trackgate.client._frozen import Frozen, frozen
from trackgate.client.errors import ConfigurationError

TOGGL_API_URL = "https://api.track.toggl.com/api/v9"
GATEWAY_URL = "http://127.0.0.1:8080"
GATEWAY_APP = "toggl-track"


@frozen
class Endpoint(Frozen):
    """Base URLs of the v9 and Reports APIs, the gateway root when there is one, and headers."""

    api_url: str
    reports_url: str
    gateway_url: str | None
    headers: dict[str, str]
    connection: str | None = None  # the gateway connection asked for; None: the gateway's choice

    @property
    def via_gateway(self) -> bool:
        return self.gateway_url is not None


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _reports_url(api_url: str) -> str:
    root = api_url[: -len("/api/v9")] if api_url.endswith("/api/v9") else api_url
    return root + "/reports/api/v3"


API_PATH = "/api/v9"


def _root(base_url: str) -> str:
    """The server's root from either spelling of a base URL: the root itself or its v9 API
    (``.../api/v9``), with or without a trailing slash; through a gateway also
    ``.../toggl-track`` and ``.../toggl-track/api/v9``."""
    root = base_url.rstrip("/")
    if root.endswith(API_PATH):
        root = root[: -len(API_PATH)]
    return root


def build_endpoint(
    *,
    api_token: str | None = None,
    email: str | None = None,
    password: str | None = None,
    gateway_key: str | None = None,
    connection: str | None = None,
    base_url: str | None = None,
) -> Endpoint:
    """The endpoint for one set of credentials; a gateway key wins over Toggl credentials.

    ``base_url`` is the server's root or its v9 base (``.../api/v9``), either way for both
    kinds of credentials; the gateway's app path (``/toggl-track``) may be given or not.
    """
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigurationError(f"base URL must start with http:// or https://: {base_url!r}")
    if gateway_key:
        root = _root(base_url or GATEWAY_URL)
        if root.endswith(f"/{GATEWAY_APP}"):
            root = root[: -len(GATEWAY_APP) - 1]
        headers = {"Authorization": f"Bearer {gateway_key}"}
        if connection:
            headers["Maton-Connection"] = connection
        api_url = f"{root}/{GATEWAY_APP}/api/v9"
        return Endpoint(api_url, _reports_url(api_url), root, headers, connection or None)
    if api_token:
        auth = _basic(api_token, "api_token")
    elif email and password:
        auth = _basic(email, password)
    else:
        raise ConfigurationError(
            "no credentials: give an API token, an e-mail and password, or a gateway key"
        )
    api_url = _root(base_url or TOGGL_API_URL) + API_PATH
    return Endpoint(api_url, _reports_url(api_url), None, {"Authorization": auth})
