# Generated from the _async_ twin by `python -m trackgate.client._unasync`: do not edit.
# ruff: noqa: UP028
"""The client: resources over one requester. The ``_async_*`` modules are the source of the
async client; the ``_sync_*`` ones are generated from them (``python -m
trackgate.client._unasync``) and a test checks that they match. Pure logic lives in
``_core``, ``payloads`` and ``names``."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

import httpx

from trackgate import __version__
from trackgate.client._core import (
    RetryPolicy,
    api_error,
    decode,
    may_retry,
    network_error,
    read_quota,
    retry_after,
)
from trackgate.client._sync_account import (
    MeResource,
    Organizations,
    Workspaces,
)
from trackgate.client._sync_catalog import Clients, Projects, Tags, Tasks
from trackgate.client._sync_gateway import Connections
from trackgate.client._sync_names import Names
from trackgate.client._sync_reports import Reports
from trackgate.client._sync_time_entries import TimeEntries
from trackgate.client.endpoint import Endpoint, build_endpoint
from trackgate.client.models import Quota
from trackgate.client.names import NameCache


def _needs_tls(endpoint: Endpoint) -> bool:
    """Whether to build a TLS context (loading the CA bundle costs tens of milliseconds per
    start). Plain-HTTP endpoints never use it: every URL this client calls starts with one of
    the endpoint's roots, and redirects are not followed."""
    roots = [endpoint.api_url, endpoint.reports_url, endpoint.gateway_url or ""]
    return any(root.startswith("https://") for root in roots)


class Toggl:
    """A Toggl Track client: ``Toggl(api_token=...)``, ``Toggl(email=, password=)``
    or ``Toggl(gateway_key=..., base_url=<gateway root>, connection=...)``.

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
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
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
        self._http = http_client or httpx.Client(
            transport=transport, timeout=timeout, verify=_needs_tls(self.endpoint)
        )
        self._owns_http = http_client is None
        self._headers = {**self.endpoint.headers, "User-Agent": f"trackgate/{__version__}"}
        self.retry = retry or RetryPolicy()
        self.quota: Quota | None = None
        self.names_cache: NameCache | None = (
            None if self.endpoint.via_gateway else (name_cache or NameCache())
        )
        self.me = MeResource(self)
        self.workspaces = Workspaces(self)
        self.organizations = Organizations(self)
        self.time_entries = TimeEntries(self)
        self.projects = Projects(self)
        self.clients = Clients(self)
        self.tags = Tags(self)
        self.tasks = Tasks(self)
        self.reports = Reports(self)
        self.connections = Connections(self)
        self.names = Names(self)

    def __enter__(self) -> Toggl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def send(
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
                response = self._http.request(
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
                response.close()
            time.sleep(wait)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """A v9 call; the decoded body."""
        response = self.send(method, self.endpoint.api_url + path, params=params, json=json)
        return decode(response)
