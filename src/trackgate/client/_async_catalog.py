"""Projects, clients, tags and tasks: what time entries point to."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from trackgate.client import payloads
from trackgate.client._async_resource import _AsyncResource
from trackgate.client.models import Client, Project, Tag, Task, parse_list


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
