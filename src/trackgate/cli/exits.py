"""Exit codes of the tracking commands, and the one place SDK errors become them.

0 ok · 1 nothing to do (or the object is not there) · 2 usage (bad input, unknown or
ambiguous name) · 3 authentication · 4 quota or rate limit · 5 network (or the server down).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import click

from trackgate.cli.when import TimeInputError
from trackgate.client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NameLookupError,
    NetworkError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)

OK, NOTHING, USAGE, AUTH, QUOTA, NETWORK = 0, 1, 2, 3, 4, 5


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    sys.stderr.write(f"trackgate: {message}\n")
    sys.stderr.flush()
    raise click.exceptions.Exit(code)


Command = TypeVar("Command", bound=Callable[..., Any])


def one_format(command: Command) -> Command:
    """``--json`` and ``--csv`` name two outputs: both at once is a usage error (exit 2),
    said before anything is asked of a server. Goes right above the command's ``def``."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("as_csv") and (kwargs.get("as_json") or kwargs.get("as_json_flag")):
            fail("--json and --csv cannot be used together: choose one", USAGE)
        return command(*args, **kwargs)

    return checked  # type: ignore[return-value]


def code_for(error: Exception) -> int:
    if isinstance(error, APIError) and error.code == "no_connection":
        return AUTH  # a gateway with no connected Toggl account: a credentials problem
    if isinstance(error, QuotaExceededError | RateLimitError):
        return QUOTA
    if isinstance(error, NetworkError | ServerError):
        return NETWORK
    if isinstance(error, AuthenticationError | ConfigurationError):
        return AUTH
    if isinstance(error, BadRequestError | NameLookupError | TimeInputError):
        return USAGE
    return NOTHING


def describe(error: Exception) -> str:
    """A one-line message that says what to do."""
    if isinstance(error, QuotaExceededError):
        resets = f"; a request frees up in {error.resets_in} s" if error.resets_in else ""
        return f"Toggl's hourly quota is spent{resets}"
    if isinstance(error, RateLimitError):
        hint = f" (retry in {error.retry_after:g} s)" if error.retry_after else ""
        return f"rate limited: {error.message}{hint}"
    if isinstance(error, AuthenticationError):
        return f"not authorised ({error.status}): {error.message}"
    if isinstance(error, APIError) and error.code == "no_connection":
        return f"{error.message} (or run `trackgate connections create`)"
    if isinstance(error, APIError):
        return error.message
    return str(error)


@contextmanager
def reported() -> Iterator[None]:
    """SDK and input errors as a one-line message and their exit code."""
    try:
        yield
    except (APIError, NetworkError, ConfigurationError, NameLookupError, TimeInputError) as exc:
        fail(describe(exc), code_for(exc))
