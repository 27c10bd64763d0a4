"""Every error the SDK raises, in one hierarchy::

    TogglClientError                 anything this SDK raises
    ├── ConfigurationError           no credentials, a malformed base URL
    ├── NameLookupError              a name that matches no object, or several
    │   ├── UnknownNameError
    │   └── AmbiguousNameError       (matches)
    ├── NetworkError                 the server could not be reached (DNS, refused, timeout)
    └── APIError                     the server answered with an error status
        ├── BadRequestError          400
        ├── AuthenticationError      401, 403
        ├── NotFoundError            404
        ├── ConflictError            409
        ├── QuotaExceededError       402: Toggl's hourly quota is spent (remaining, resets_in)
        ├── RateLimitError           429 after the retries (retry_after)
        └── ServerError              5xx after the retries

An ``APIError`` carries the status, the decoded body (Toggl sends a JSON string, the gateway
``{"error": {"code", "message"}}``), the gateway's error code when there is one, and the
request id, so a message can be shown as-is and a bug report can name the exchange.
"""

from __future__ import annotations

from typing import Any


class TogglClientError(Exception):
    """Base of every error raised by ``trackgate.client``."""


class ConfigurationError(TogglClientError):
    """The client cannot be built as asked (no credentials, bad URL)."""


class NameLookupError(TogglClientError, LookupError):
    """A project, client, tag or workspace name could not be resolved to one object."""


class UnknownNameError(NameLookupError):
    """No object of that kind has that name (or id)."""


class AmbiguousNameError(NameLookupError):
    """Several objects match; ``matches`` lists them."""

    def __init__(self, message: str, matches: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.matches = matches


class LongEntryError(TogglClientError, ValueError):
    """An entry over 24 hours, refused unless asked for (``allow_long=True``): such an entry
    is nearly always a typo (a stop on the wrong day), and Toggl keeps it silently."""


class NetworkError(TogglClientError):
    """No answer: the connection failed or timed out. Safe to journal and retry later."""


class APIError(TogglClientError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        body: Any = None,
        code: str | None = None,
        request_id: str | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body
        self.code = code
        self.request_id = request_id
        self.method = method
        self.url = url

    def __str__(self) -> str:
        if self.status == 404 and self.url:  # a wrong base URL shows as 404: name the one used
            return f"{self.status}: {self.message} ({self.method} {self.url})"
        return f"{self.status}: {self.message}"


class BadRequestError(APIError):
    """400: the server refused the request's content."""


class AuthenticationError(APIError):
    """401 or 403: missing, wrong or refused credentials."""


class NotFoundError(APIError):
    """404: no such object (or not visible to these credentials)."""


class ConflictError(APIError):
    """409: the change conflicts with the current state (e.g. stopping a stopped entry)."""


class QuotaExceededError(APIError):
    """402: the hourly quota is spent; ``resets_in`` says when a slot frees (seconds)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        remaining: int | None = None,
        resets_in: int | None = None,
        **details: Any,
    ) -> None:
        super().__init__(status, message, **details)
        self.remaining = remaining
        self.resets_in = resets_in


class RateLimitError(APIError):
    """429 after the retries; ``retry_after`` is the server's hint in seconds."""

    def __init__(
        self, status: int, message: str, *, retry_after: float | None = None, **details: Any
    ) -> None:
        super().__init__(status, message, **details)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx after the retries (for idempotent calls)."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
}


def error_class(status: int) -> type[APIError]:
    """The class an error status maps to (402 and 429 are built by the requester)."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)
