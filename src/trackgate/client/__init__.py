"""trackgate's Toggl Track SDK: ``Toggl`` (sync) and ``AsyncToggl`` (async), one implementation.

>>> with Toggl(api_token="...") as toggl:
...     entry = toggl.time_entries.start(toggl.me.get().default_workspace_id, "Writing")

Works against real Toggl, a trackgate gateway (``gateway_key=``) or the embedded service.
Importing it needs only httpx: no server dependency.
"""

from typing import TYPE_CHECKING, Any

from trackgate.client._core import RetryPolicy
from trackgate.client._sync_client import Toggl
from trackgate.client._types import NOT_GIVEN, NotGiven
from trackgate.client.endpoint import GATEWAY_URL, TOGGL_API_URL, Endpoint, build_endpoint
from trackgate.client.errors import (
    AmbiguousNameError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    LongEntryError,
    NameLookupError,
    NetworkError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TogglClientError,
    UnknownNameError,
)
from trackgate.client.models import (
    BulkEditResult,
    Client,
    Connection,
    Me,
    Model,
    Organization,
    Project,
    Quota,
    QuotaBucket,
    ReportRow,
    Tag,
    Task,
    TimeEntry,
    Workspace,
    WorkspaceUser,
)
from trackgate.client.names import NameCache

if TYPE_CHECKING:
    from trackgate.client._async_client import AsyncToggl


def __getattr__(name: str) -> Any:
    """``AsyncToggl`` is imported on first use: a command line that never awaits saves
    asyncio's import on every start."""
    if name == "AsyncToggl":
        from trackgate.client._async_client import AsyncToggl

        return AsyncToggl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "AsyncToggl"})


__all__ = [
    "GATEWAY_URL",
    "NOT_GIVEN",
    "TOGGL_API_URL",
    "APIError",
    "AmbiguousNameError",
    "AsyncToggl",
    "AuthenticationError",
    "BadRequestError",
    "BulkEditResult",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "Connection",
    "Endpoint",
    "LongEntryError",
    "Me",
    "Model",
    "NameCache",
    "NameLookupError",
    "NetworkError",
    "NotFoundError",
    "NotGiven",
    "Organization",
    "Project",
    "Quota",
    "QuotaBucket",
    "QuotaExceededError",
    "RateLimitError",
    "ReportRow",
    "RetryPolicy",
    "ServerError",
    "Tag",
    "Task",
    "TimeEntry",
    "Toggl",
    "TogglClientError",
    "UnknownNameError",
    "Workspace",
    "WorkspaceUser",
    "build_endpoint",
]
