"""Checking a credential given on the connect page against the upstream's ``GET /api/v9/me``.

An API token is sent as ``token:api_token``; an email and password as they are, and the
account's ``api_token`` from the answer is what gets stored (never the password).
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import Any

from trackgate.gateway.connections import Verified, metadata_from_me
from trackgate.gateway.upstream import Upstream, UpstreamTimeout, UpstreamUnreachable

ME_PATH = "/api/v9/me"

log = logging.getLogger("trackgate.connect")


@dataclass(frozen=True)
class Refused:
    """The upstream said no to the credential itself: a failed attempt."""

    reason: str


class VerifyUnavailable(Exception):
    """The upstream could not judge the credential now; not the person's fault."""

    def __init__(self, status: int, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def _ask_me(upstream: Upstream, user: str, password: str) -> tuple[int, Any, str | None]:
    headers = [
        ("Authorization", _basic(user, password)),
        ("Accept", "application/json"),
        ("User-Agent", "trackgate-connect"),
    ]
    try:
        answer = await upstream.send("GET", ME_PATH, headers, None)
        raw = await answer.read()
    except UpstreamTimeout as exc:
        raise VerifyUnavailable(504, "Toggl Track did not answer in time. Try again.") from exc
    except UpstreamUnreachable as exc:
        raise VerifyUnavailable(502, "Toggl Track could not be reached. Try again.") from exc
    except Exception as exc:  # any other failure of the upstream client: a page, not a 500
        log.warning("connect: the upstream check failed with %s", exc.__class__.__name__)
        raise VerifyUnavailable(502, "Toggl Track could not be reached. Try again.") from exc
    retry_after = next((v for k, v in answer.headers if k.lower() == "retry-after"), None)
    try:
        body = json.loads(raw) if answer.status == 200 else None
    except (ValueError, RecursionError):
        body = None
    return answer.status, body, retry_after


async def verify_credential(
    upstream: Upstream, *, api_token: str, email: str, password: str
) -> Verified | Refused:
    """Ask the upstream who this credential belongs to; an API token wins if both are given."""
    if api_token:
        method, user, secret = "API_KEY", api_token, "api_token"
        refused = "Toggl Track did not accept this API token."
    else:
        method, user, secret = "BASIC", email, password
        refused = "Toggl Track did not accept this email and password."
    status, body, retry_after = await _ask_me(upstream, user, secret)
    if status in (401, 403):
        return Refused(refused)
    if status == 429:
        raise VerifyUnavailable(
            429, "Toggl Track asks to slow down. Try again shortly.", retry_after
        )
    if status != 200 or not isinstance(body, dict):
        raise VerifyUnavailable(502, f"Toggl Track answered unexpectedly (HTTP {status}).")
    token = api_token or body.get("api_token")
    if not isinstance(token, str) or not token:
        raise VerifyUnavailable(502, "Toggl Track did not return the account's API token.")
    return Verified(method=method, api_token=token, metadata=metadata_from_me(body))
