"""The client: resources over one requester. This file is the source of the async client;
``_sync_client.py`` is generated from it (``python -m trackgate.client._unasync``) and a test
checks that the two match. Pure logic lives in ``_core``, ``payloads`` and ``names``."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, timedelta
from time import time as _wall_clock
from types import TracebackType
from typing import Any

import httpx

from trackgate import __version__
from trackgate.client import payloads
from trackgate.client._core import (
    RetryPolicy,
    api_error,
    decode,
    may_retry,
    network_error,
    read_quota,
    retry_after,
)
from trackgate.client._types import NOT_GIVEN, NotGiven, given
from trackgate.client.endpoint import GATEWAY_APP, Endpoint, build_endpoint
from trackgate.client.errors import ConfigurationError
from trackgate.client.models import (
    BulkEditResult,
    Client,
    Connection,
    Me,
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
    parse_list,
    parse_one,
)
from trackgate.client.names import NameCache

Maybe = Any | NotGiven


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


class _AsyncResource:
    def __init__(self, client: AsyncToggl) -> None:
        self._client = client


class AsyncMeResource(_AsyncResource):
    """The signed-in user: profile, quota, organizations."""

    async def get(self, *, with_related_data: bool = False) -> Me:
        body = await self._client.call(
            "GET", "/me", params=payloads.query(with_related_data=with_related_data or None)
        )
        return Me.from_raw(body)

    async def update(self, **fields: Any) -> Me:
        return Me.from_raw(await self._client.call("PUT", "/me", json=fields))

    async def quota(self) -> builtins.list[QuotaBucket]:
        """``GET /me/quota``: what is left of the hourly quota per organization."""
        return parse_list(QuotaBucket, await self._client.call("GET", "/me/quota"))

    async def organizations(self) -> builtins.list[Organization]:
        return parse_list(Organization, await self._client.call("GET", "/me/organizations"))


class AsyncWorkspaces(_AsyncResource):
    async def list(self, *, since: datetime | int | None = None) -> builtins.list[Workspace]:
        params = payloads.query(since=payloads.unix(since) if since is not None else None)
        return parse_list(
            Workspace, await self._client.call("GET", "/me/workspaces", params=params)
        )

    async def get(self, workspace_id: int) -> Workspace:
        return Workspace.from_raw(await self._client.call("GET", f"/workspaces/{workspace_id}"))

    async def update(self, workspace_id: int, **fields: Any) -> Workspace:
        body = await self._client.call("PUT", f"/workspaces/{workspace_id}", json=fields)
        return Workspace.from_raw(body)

    async def users(self, workspace_id: int) -> builtins.list[WorkspaceUser]:
        body = await self._client.call("GET", f"/workspaces/{workspace_id}/users")
        return parse_list(WorkspaceUser, body)


class AsyncOrganizations(_AsyncResource):
    async def list(self) -> builtins.list[Organization]:
        return parse_list(Organization, await self._client.call("GET", "/me/organizations"))

    async def get(self, organization_id: int) -> Organization:
        body = await self._client.call("GET", f"/organizations/{organization_id}")
        return Organization.from_raw(body)


class AsyncTimeEntries(_AsyncResource):
    """Time entries: the timer (start, stop, current) and the log (list, create, edit)."""

    async def list(
        self,
        *,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        since: datetime | int | None = None,
        before: date | datetime | str | None = None,
        meta: bool = False,
    ) -> builtins.list[TimeEntry]:
        """``GET /me/time_entries``; dates filter on start, ``since`` on modification."""
        params = payloads.query(
            start_date=start_date,
            end_date=end_date,
            since=payloads.unix(since) if since is not None else None,
            before=before,
            meta=meta or None,
        )
        body = await self._client.call("GET", "/me/time_entries", params=params)
        return parse_list(TimeEntry, body)

    async def iterate(
        self, since: date, until: date, *, window_days: int = 30, meta: bool = False
    ) -> AsyncIterator[TimeEntry]:
        """Entries started between two dates (inclusive), newest first, one window at a time
        (Toggl caps one listing, so long ranges are walked in date windows)."""
        end = until + timedelta(days=1)
        while end > since:
            start = max(since, end - timedelta(days=window_days))
            for entry in await self.list(start_date=start, end_date=end, meta=meta):
                yield entry
            end = start

    async def current(self) -> TimeEntry | None:
        """The running entry, or None."""
        return parse_one(TimeEntry, await self._client.call("GET", "/me/time_entries/current"))

    async def get(self, time_entry_id: int, *, meta: bool = False) -> TimeEntry:
        body = await self._client.call(
            "GET", f"/me/time_entries/{time_entry_id}", params=payloads.query(meta=meta or None)
        )
        return TimeEntry.from_raw(body)

    async def create(
        self,
        workspace_id: int,
        *,
        start: datetime | str | None = None,
        stop: Maybe = NOT_GIVEN,
        duration: Maybe = NOT_GIVEN,
        description: Maybe = NOT_GIVEN,
        project_id: Maybe = NOT_GIVEN,
        task_id: Maybe = NOT_GIVEN,
        tags: Maybe = NOT_GIVEN,
        tag_ids: Maybe = NOT_GIVEN,
        billable: Maybe = NOT_GIVEN,
        **extra: Any,
    ) -> TimeEntry:
        """A new entry; running when neither ``stop`` nor ``duration`` is given."""
        fields = given(
            start=start,
            stop=stop,
            duration=duration,
            description=description,
            project_id=project_id,
            task_id=task_id,
            tags=tags,
            tag_ids=tag_ids,
            billable=billable,
        )
        body = payloads.new_time_entry(workspace_id, {**fields, **extra})
        return TimeEntry.from_raw(
            await self._client.call("POST", f"/workspaces/{workspace_id}/time_entries", json=body)
        )

    async def start(
        self,
        workspace_id: int,
        description: str | None = None,
        *,
        start: datetime | str | None = None,
        project_id: int | None = None,
        task_id: int | None = None,
        tags: Iterable[str] | None = None,
        billable: bool | None = None,
    ) -> TimeEntry:
        """Start a timer (a running entry started now or at ``start``); Toggl stops the one
        that was running."""
        extra: dict[str, Any] = {}
        for name, value in (
            ("description", description),
            ("project_id", project_id),
            ("task_id", task_id),
            ("billable", billable),
        ):
            if value is not None:
                extra[name] = value
        if tags is not None:
            extra["tags"] = list(tags)
        return await self.create(workspace_id, start=start, duration=-1, **extra)

    async def stop(self, workspace_id: int, time_entry_id: int) -> TimeEntry:
        """Stop a running entry now (409 ``ConflictError`` when already stopped)."""
        path = f"/workspaces/{workspace_id}/time_entries/{time_entry_id}/stop"
        return TimeEntry.from_raw(await self._client.call("PATCH", path))

    async def update(self, workspace_id: int, time_entry_id: int, **fields: Any) -> TimeEntry:
        """Change the fields given (PUT is partial); None clears a field."""
        path = f"/workspaces/{workspace_id}/time_entries/{time_entry_id}"
        body = await self._client.call("PUT", path, json=payloads.changes(given(**fields)))
        return TimeEntry.from_raw(body)

    async def delete(self, workspace_id: int, time_entry_id: int) -> None:
        path = f"/workspaces/{workspace_id}/time_entries/{time_entry_id}"
        await self._client.call("DELETE", path)

    async def bulk_edit(
        self, workspace_id: int, time_entry_ids: Iterable[int], **fields: Any
    ) -> BulkEditResult:
        """One JSON-patch for up to 100 entries; per-entry success and failure."""
        path = f"/workspaces/{workspace_id}/time_entries/{payloads.id_list(time_entry_ids)}"
        body = await self._client.call("PATCH", path, json=payloads.json_patch(given(**fields)))
        return BulkEditResult.from_raw(body)


class AsyncProjects(_AsyncResource):
    async def list(
        self,
        workspace_id: int,
        *,
        active: bool | str | None = None,
        name: str | None = None,
        client_ids: Iterable[int] | None = None,
        since: datetime | int | None = None,
        per_page: int = 200,
    ) -> AsyncIterator[Project]:
        """Every project of a workspace, walking ``page``/``per_page``."""
        page = 1
        while True:
            params = payloads.query(
                active=active,
                name=name,
                client_ids=list(client_ids) if client_ids is not None else None,
                since=payloads.unix(since) if since is not None else None,
                page=page,
                per_page=per_page,
            )
            body = await self._client.call(
                "GET", f"/workspaces/{workspace_id}/projects", params=params
            )
            items = parse_list(Project, body)
            for item in items:
                yield item
            if len(items) < per_page:
                return
            page += 1

    async def get(self, workspace_id: int, project_id: int) -> Project:
        body = await self._client.call("GET", f"/workspaces/{workspace_id}/projects/{project_id}")
        return Project.from_raw(body)

    async def create(self, workspace_id: int, name: str, **fields: Any) -> Project:
        """A new project (active unless ``active=False`` is given)."""
        body = {"name": name, "active": True, **fields}
        path = f"/workspaces/{workspace_id}/projects"
        return self._remember(Project.from_raw(await self._client.call("POST", path, json=body)))

    async def update(self, workspace_id: int, project_id: int, **fields: Any) -> Project:
        path = f"/workspaces/{workspace_id}/projects/{project_id}"
        return self._remember(Project.from_raw(await self._client.call("PUT", path, json=fields)))

    async def delete(
        self, workspace_id: int, project_id: int, *, te_deletion_mode: str | None = None
    ) -> None:
        """Delete a project; its time entries are kept (unassigned) unless told otherwise."""
        params = payloads.query(teDeletionMode=te_deletion_mode)
        path = f"/workspaces/{workspace_id}/projects/{project_id}"
        await self._client.call("DELETE", path, params=params)
        if self._client.names_cache is not None:
            self._client.names_cache.forget("projects", project_id)

    def _remember(self, project: Project) -> Project:
        if self._client.names_cache is not None:
            self._client.names_cache.remember("projects", project.raw)
        return project


class AsyncClients(_AsyncResource):
    async def list(
        self, workspace_id: int, *, status: str | None = None, name: str | None = None
    ) -> builtins.list[Client]:
        """Clients of a workspace; ``status`` active (default), archived or both."""
        params = payloads.query(status=status, name=name)
        body = await self._client.call("GET", f"/workspaces/{workspace_id}/clients", params=params)
        return parse_list(Client, body)

    async def get(self, workspace_id: int, client_id: int) -> Client:
        body = await self._client.call("GET", f"/workspaces/{workspace_id}/clients/{client_id}")
        return Client.from_raw(body)

    async def create(self, workspace_id: int, name: str, **fields: Any) -> Client:
        body = {"name": name, "wid": workspace_id, **fields}
        path = f"/workspaces/{workspace_id}/clients"
        return self._remember(Client.from_raw(await self._client.call("POST", path, json=body)))

    async def update(self, workspace_id: int, client_id: int, **fields: Any) -> Client:
        path = f"/workspaces/{workspace_id}/clients/{client_id}"
        return self._remember(Client.from_raw(await self._client.call("PUT", path, json=fields)))

    async def delete(self, workspace_id: int, client_id: int) -> None:
        await self._client.call("DELETE", f"/workspaces/{workspace_id}/clients/{client_id}")
        if self._client.names_cache is not None:
            self._client.names_cache.forget("clients", client_id)

    async def archive(self, workspace_id: int, client_id: int) -> builtins.list[int]:
        """Archive a client and its projects; the ids of the projects archived."""
        path = f"/workspaces/{workspace_id}/clients/{client_id}/archive"
        body = await self._client.call("POST", path)
        return [int(i) for i in body or []]

    async def restore(
        self,
        workspace_id: int,
        client_id: int,
        *,
        restore_all_projects: bool = False,
        projects: Iterable[int] = (),
    ) -> Client:
        path = f"/workspaces/{workspace_id}/clients/{client_id}/restore"
        body = {"restore_all_projects": restore_all_projects, "projects": list(projects)}
        return Client.from_raw(await self._client.call("POST", path, json=body))

    def _remember(self, client: Client) -> Client:
        if self._client.names_cache is not None:
            self._client.names_cache.remember("clients", client.raw)
        return client


class AsyncTags(_AsyncResource):
    async def list(self, workspace_id: int) -> builtins.list[Tag]:
        return parse_list(Tag, await self._client.call("GET", f"/workspaces/{workspace_id}/tags"))

    async def create(self, workspace_id: int, name: str) -> Tag:
        body = {"name": name, "workspace_id": workspace_id}
        path = f"/workspaces/{workspace_id}/tags"
        return self._remember(Tag.from_raw(await self._client.call("POST", path, json=body)))

    async def update(self, workspace_id: int, tag_id: int, name: str) -> Tag:
        path = f"/workspaces/{workspace_id}/tags/{tag_id}"
        body = await self._client.call("PUT", path, json={"name": name})
        return self._remember(Tag.from_raw(body))

    async def delete(self, workspace_id: int, tag_id: int) -> None:
        await self._client.call("DELETE", f"/workspaces/{workspace_id}/tags/{tag_id}")
        if self._client.names_cache is not None:
            self._client.names_cache.forget("tags", tag_id)

    def _remember(self, tag: Tag) -> Tag:
        if self._client.names_cache is not None:
            self._client.names_cache.remember("tags", tag.raw)
        return tag


class AsyncTasks(_AsyncResource):
    async def list(
        self, workspace_id: int, project_id: int, *, active: bool | None = None
    ) -> builtins.list[Task]:
        path = f"/workspaces/{workspace_id}/projects/{project_id}/tasks"
        body = await self._client.call("GET", path, params=payloads.query(active=active))
        return parse_list(Task, body)

    async def iterate_workspace(
        self, workspace_id: int, *, active: bool | str | None = None, per_page: int = 50
    ) -> AsyncIterator[Task]:
        """Every task of a workspace, walking the ``{data, page, total_count}`` envelope."""
        page, seen = 1, 0
        while True:
            params = payloads.query(active=active, page=page, per_page=per_page)
            path = f"/workspaces/{workspace_id}/tasks"
            body = await self._client.call("GET", path, params=params)
            items = parse_list(Task, (body or {}).get("data"))
            for item in items:
                yield item
            seen += len(items)
            if not items or seen >= int((body or {}).get("total_count") or 0):
                return
            page += 1

    async def get(self, workspace_id: int, project_id: int, task_id: int) -> Task:
        path = f"/workspaces/{workspace_id}/projects/{project_id}/tasks/{task_id}"
        return Task.from_raw(await self._client.call("GET", path))

    async def create(self, workspace_id: int, project_id: int, name: str, **fields: Any) -> Task:
        path = f"/workspaces/{workspace_id}/projects/{project_id}/tasks"
        body = {"name": name, "active": True, **fields}
        return Task.from_raw(await self._client.call("POST", path, json=body))

    async def update(self, workspace_id: int, project_id: int, task_id: int, **fields: Any) -> Task:
        path = f"/workspaces/{workspace_id}/projects/{project_id}/tasks/{task_id}"
        return Task.from_raw(await self._client.call("PUT", path, json=fields))

    async def delete(self, workspace_id: int, project_id: int, task_id: int) -> None:
        path = f"/workspaces/{workspace_id}/projects/{project_id}/tasks/{task_id}"
        await self._client.call("DELETE", path)


class AsyncReports(_AsyncResource):
    """Reports API v3 (``/reports/api/v3/workspace/{wid}/...``)."""

    async def _post(self, workspace_id: int, path: str, body: dict[str, Any]) -> httpx.Response:
        url = f"{self._client.endpoint.reports_url}/workspace/{workspace_id}{path}"
        return await self._client.send("POST", url, json=body)

    async def detailed(
        self,
        workspace_id: int,
        start_date: date | str,
        end_date: date | str,
        *,
        page_size: int = 50,
        **filters: Any,
    ) -> AsyncIterator[ReportRow]:
        """Every detailed row, following ``X-Next-ID``/``X-Next-Row-Number`` until absent."""
        body = payloads.report_filters(start_date, end_date, page_size=page_size, **filters)
        while True:
            response = await self._post(workspace_id, "/search/time_entries", body)
            for row in parse_list(ReportRow, decode(response)):
                yield row
            next_id = response.headers.get("x-next-id")
            next_row = response.headers.get("x-next-row-number")
            if not next_id or not next_row:
                return
            body = {**body, "first_id": int(next_id), "first_row_number": int(next_row)}

    async def summary(
        self,
        workspace_id: int,
        start_date: date | str,
        end_date: date | str,
        *,
        grouping: str = "projects",
        sub_grouping: str | None = None,
        **filters: Any,
    ) -> dict[str, Any]:
        """``{"groups": [{"id", "sub_groups": [...]}]}`` as Toggl answers it."""
        body = payloads.report_filters(
            start_date, end_date, grouping=grouping, sub_grouping=sub_grouping, **filters
        )
        answer: dict[str, Any] = decode(
            await self._post(workspace_id, "/summary/time_entries", body)
        ) or {"groups": []}
        return answer

    async def weekly(
        self, workspace_id: int, start_date: date | str, end_date: date | str, **filters: Any
    ) -> builtins.list[dict[str, Any]]:
        """Weekly rows, ``seconds`` as seven day totals."""
        body = payloads.report_filters(start_date, end_date, **filters)
        rows: list[dict[str, Any]] = (
            decode(await self._post(workspace_id, "/weekly/time_entries", body)) or []
        )
        return rows

    async def export(
        self,
        workspace_id: int,
        report: str,
        fmt: str,
        start_date: date | str,
        end_date: date | str,
        **filters: Any,
    ) -> bytes:
        """A report file: ``report`` search|summary|weekly, ``fmt`` csv|pdf."""
        paths = {
            "search": "/search/time_entries",
            "summary": "/summary/time_entries",
            "weekly": "/weekly/time_entries",
        }
        if report not in paths or fmt not in ("csv", "pdf"):
            raise ValueError("report is search, summary or weekly; fmt is csv or pdf")
        body = payloads.report_filters(start_date, end_date, **filters)
        response = await self._post(workspace_id, f"{paths[report]}.{fmt}", body)
        return response.content


class AsyncConnections(_AsyncResource):
    """The gateway's control API (only with a gateway key)."""

    def _url(self, suffix: str = "") -> str:
        root = self._client.endpoint.gateway_url
        if root is None:
            raise ConfigurationError("connections need a gateway key and the gateway's URL")
        return f"{root}/connections{suffix}"

    async def list(
        self, *, app: str | None = None, status: str | None = None
    ) -> builtins.list[Connection]:
        params = payloads.query(app=app, status=status)
        body = decode(await self._client.send("GET", self._url(), params=params))
        return parse_list(Connection, (body or {}).get("connections"))

    async def create(self, app: str = GATEWAY_APP) -> Connection:
        """A PENDING connection whose ``url`` a person opens to connect a Toggl account."""
        body = decode(await self._client.send("POST", self._url(), json={"app": app}))
        return Connection.from_raw(body["connection"])

    async def get(self, connection_id: str) -> Connection:
        body = decode(await self._client.send("GET", self._url(f"/{connection_id}")))
        return Connection.from_raw(body["connection"])

    async def delete(self, connection_id: str) -> None:
        await self._client.send("DELETE", self._url(f"/{connection_id}"))


class AsyncNames(_AsyncResource):
    """Names to objects, from the cache refreshed with ``since`` at most every 60 s (through a
    gateway: straight from the gateway, whose mirror spares the quota)."""

    _PATHS = {
        "workspaces": "/me/workspaces",
        "projects": "/me/projects",
        "clients": "/me/clients",
        "tags": "/me/tags",
    }

    async def refresh(self, kind: str, *, force: bool = False) -> NameCache:
        cache = self._client.names_cache or NameCache()
        now = _wall_clock()
        since = None if force else cache.since(kind, now)
        if since is False:
            return cache
        params = payloads.query(since=since)
        if kind == "projects":
            params["include_archived"] = "true"
        body = await self._client.call("GET", self._PATHS[kind], params=params)
        cache.merge(kind, list(body or []), full=since is None, now=now)
        return cache

    async def find(
        self, kind: str, ref: str | int, workspace_id: int | None = None
    ) -> dict[str, Any]:
        """The one object of ``kind`` named (or numbered) ``ref``; raises
        ``UnknownNameError`` or ``AmbiguousNameError``."""
        cache = await self.refresh(kind)
        return cache.find(kind, ref, workspace_id)

    async def project(self, ref: str | int, workspace_id: int | None = None) -> Project:
        return Project.from_raw(await self.find("projects", ref, workspace_id))

    async def client(self, ref: str | int, workspace_id: int | None = None) -> Client:
        return Client.from_raw(await self.find("clients", ref, workspace_id))

    async def tag(self, ref: str | int, workspace_id: int | None = None) -> Tag:
        return Tag.from_raw(await self.find("tags", ref, workspace_id))

    async def workspace(self, ref: str | int) -> Workspace:
        return Workspace.from_raw(await self.find("workspaces", ref))
