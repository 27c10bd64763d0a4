"""The client: resources over one requester. The ``_async_*`` modules are the source of the
async client; the ``_sync_*`` ones are generated from them (``python -m
trackgate.client._unasync``) and a test checks that they match. Pure logic lives in
``_core``, ``payloads`` and ``names``."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import httpx

from trackgate import __version__
from trackgate.client._async_account import (
    AsyncMeResource,
    AsyncOrganizations,
    AsyncWorkspaces,
)
from trackgate.client._async_catalog import AsyncClients, AsyncProjects, AsyncTags, AsyncTasks
from trackgate.client._async_gateway import AsyncConnections
from trackgate.client._async_names import AsyncNames
from trackgate.client._async_reports import AsyncReports
from trackgate.client._async_time_entries import AsyncTimeEntries
from trackgate.client._core import (
    RetryPolicy,
    api_error,
    decode,
    may_retry,
    network_error,
    read_quota,
    retry_after,
)
from trackgate.client.endpoint import Endpoint, build_endpoint
from trackgate.client.models import Quota
from trackgate.client.names import NameCache


def _needs_tls(endpoint: Endpoint) -> bool:
    """Whether to build a TLS context (loading the CA bundle costs tens of milliseconds per
    start). Plain-HTTP endpoints never use it: every URL this client calls starts with one of
    the endpoint's roots, and redirects are not followed."""
    roots = [endpoint.api_url, endpoint.reports_url, endpoint.gateway_url or ""]
    return any(root.startswith("https://") for root in roots)


class AsyncToggl:
    """A Toggl Track client: ``AsyncToggl(api_token=...)``, ``AsyncToggl(email=, password=)``
    or ``AsyncToggl(gateway_key=..., base_url=<gateway root>, connection=...)``.

    ``transport`` (or a whole ``http_client``) is injectable: tests run it over the service
    in-process. ``quota`` is what the last answer's quota headers said.
    """

    def __init__(
        self,
        *,
        api_token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        gateway_key: str | None = None,
        connection: str | None = None,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        name_cache: NameCache | None = None,
    ) -> None:
        self.endpoint: Endpoint = build_endpoint(
            api_token=api_token,
            email=email,
            password=password,
            gateway_key=gateway_key,
            connection=connection,
            base_url=base_url,
        )
        self._http = http_client or httpx.AsyncClient(
            transport=transport, timeout=timeout, verify=_needs_tls(self.endpoint)
        )
        self._owns_http = http_client is None
        self._headers = {**self.endpoint.headers, "User-Agent": f"trackgate/{__version__}"}
        self.retry = retry or RetryPolicy()
        self.quota: Quota | None = None
        self.names_cache: NameCache | None = (
            None if self.endpoint.via_gateway else (name_cache or NameCache())
        )
        self.me = AsyncMeResource(self)
        self.workspaces = AsyncWorkspaces(self)
        self.organizations = AsyncOrganizations(self)
        self.time_entries = AsyncTimeEntries(self)
        self.projects = AsyncProjects(self)
        self.clients = AsyncClients(self)
        self.tags = AsyncTags(self)
        self.tasks = AsyncTasks(self)
        self.reports = AsyncReports(self)
        self.connections = AsyncConnections(self)
        self.names = AsyncNames(self)

    async def __aenter__(self) -> AsyncToggl:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """One call with retries (see ``RetryPolicy``); an error status raises ``APIError``."""
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            error: httpx.HTTPError | None = None
            try:
                response = await self._http.request(
                    method, url, params=params, json=json, headers=self._headers
                )
            except httpx.HTTPError as exc:
                error = exc
            if response is not None:
                self.quota = read_quota(response.headers) or self.quota
                if response.status_code < 400:
                    return response
            wait = (
                self.retry.delay(attempt, retry_after(response.headers) if response else None)
                if may_retry(method, response, error)
                else None
            )
            if wait is None:
                if response is not None:
                    raise api_error(response)
                assert error is not None
                raise network_error(error, method, url) from error
            if response is not None:
                await response.aclose()
            await asyncio.sleep(wait)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """A v9 call; the decoded body."""
        response = await self.send(method, self.endpoint.api_url + path, params=params, json=json)
        return decode(response)
