"""The requester's pure logic, shared by the sync and async clients: which calls may be retried
and after how long, how an error answer becomes an exception, what the quota headers say.
Only the sending itself is written per flavour."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import httpx

from trackgate.client._frozen import Frozen, frozen
from trackgate.client.errors import (
    APIError,
    NetworkError,
    QuotaExceededError,
    RateLimitError,
    error_class,
)
from trackgate.client.models import Quota

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@frozen
class RetryPolicy(Frozen):
    """How often and how long to wait; a ``Retry-After`` longer than ``max_wait`` is not waited."""

    attempts: int = 3
    base_delay: float = 0.5
    max_wait: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds before retry ``attempt`` (1-based), or None when it should not happen."""
        if attempt > self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait else None
        backoff: float = self.base_delay * 2 ** (attempt - 1)
        return float(min(backoff * (0.5 + random.random()), self.max_wait))


def retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds (only the delta-seconds form is used by Toggl)."""
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def refused_by_gateway(response: httpx.Response) -> bool:
    """A 429 in the gateway's own shape (``{"error": {"code": ...}}``: its rate limit or a full
    pacing queue): the call never reached the upstream, so even a POST may be sent again."""
    if response.status_code != 429:
        return False
    body = decode(response)
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


def may_retry(method: str, response: httpx.Response | None, error: Exception | None) -> bool:
    """Idempotent calls are retried on 429/5xx and on timeouts; any call whose connection
    never opened, or that a gateway refused before forwarding it, is retried (nothing was
    done)."""
    if isinstance(error, httpx.ConnectError):
        return True
    if response is not None and refused_by_gateway(response):
        return True
    if method.upper() not in IDEMPOTENT:
        return False
    if error is not None:
        return isinstance(error, httpx.TimeoutException | httpx.RemoteProtocolError)
    return response is not None and response.status_code in RETRY_STATUSES


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def read_quota(headers: httpx.Headers) -> Quota | None:
    """The ``X-Toggl-Quota-Remaining``/``-Resets-In`` headers, when the answer has them."""
    remaining = _int_header(headers, "x-toggl-quota-remaining")
    resets_in = _int_header(headers, "x-toggl-quota-resets-in")
    if remaining is None and resets_in is None:
        return None
    return Quota(remaining, resets_in, datetime.now(UTC))


def decode(response: httpx.Response) -> Any:
    """The JSON body, None for an empty one, the text when it is not JSON."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def _message(body: Any, status: int) -> tuple[str, str | None]:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return str(error.get("message") or status), error.get("code")
    if isinstance(body, dict) and body.get("error") == "insufficient_scope":
        # a gateway's refusal of a call beyond the key's scopes, in its own shape
        return str(body.get("message") or body["error"]), "insufficient_scope"
    if isinstance(body, str) and body.strip():
        return body.strip(), None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"]), None
    return httpx.codes.get_reason_phrase(status) or f"HTTP {status}", None


def api_error(response: httpx.Response) -> APIError:
    """The exception for an error answer."""
    body = decode(response)
    message, code = _message(body, response.status_code)
    details: dict[str, Any] = {
        "body": body,
        "code": code,
        "request_id": response.headers.get("x-request-id"),
        "method": response.request.method,
        "url": str(response.request.url),
    }
    status = response.status_code
    if status == 402:
        return QuotaExceededError(
            status,
            message,
            remaining=_int_header(response.headers, "x-toggl-quota-remaining"),
            resets_in=_int_header(response.headers, "x-toggl-quota-resets-in"),
            **details,
        )
    if status == 429:
        return RateLimitError(status, message, retry_after=retry_after(response.headers), **details)
    return error_class(status)(status, message, **details)


def network_error(error: httpx.HTTPError, method: str, url: str) -> NetworkError:
    """A transport failure as the SDK's error (the URL never carries a secret)."""
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    return NetworkError(f"{method} {url} {kind}: {error.__class__.__name__}: {error}")
