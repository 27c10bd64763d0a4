"""Reads of tasks from the mirror. The mirror holds every task the user can see (active or
not), as ``/me/tasks?include_not_active=true`` lists them; each listing is a filter of it,
in the upstream's order or in an order the held fields decide without ties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trackgate.shield import queries
from trackgate.shield.rawjson import join_array
from trackgate.shield.rawobject import encode
from trackgate.shield.rules import PROJECTS, TASKS, WORKSPACES
from trackgate.shield.views import Held, Read, View

#: ``/workspaces/{wid}/tasks``: Toggl's page size, and the most it allows
WORKSPACE_PER_PAGE = 50
WORKSPACE_MAX_PER_PAGE = 200


def _since(value: int | None) -> Callable[[Held], bool]:
    return lambda h: value is None or (h.at is not None and h.at >= value)


def mine(query: queries.Query) -> Read | None:
    """``/me/tasks``: active tasks (all with ``include_not_active``), ``offset`` and
    ``per_page`` cut from the listing; ``meta`` changes nothing."""
    if set(query) - {"since", "include_not_active", "meta", "offset", "per_page"}:
        return None
    try:
        everything = bool(queries.flag(query, "include_not_active"))
        queries.flag(query, "meta")
        changed = _since(queries.unix(query, "since"))
        skip = queries.offset(query, "offset")
        size = queries.count(query, "per_page", 0) if query.get("per_page") else None
    except queries.Unsure:
        return None

    def answer(view: View) -> bytes:
        found = [
            h.body
            for h in view.live(TASKS)
            if (everything or h.value.get("active") is True) and changed(h)
        ][skip:]
        return join_array(found[:size] if size is not None else found)

    return Read((TASKS,), answer)


def _project_held(view: View, wid: int, pid: int) -> bool:
    if all(h.object_id != wid for h in view.live(WORKSPACES)):
        return False
    project = view.by_id(PROJECTS).get(pid)
    return project is not None and project.workspace_id == wid


def of_project(wid: int, pid: int, query: queries.Query) -> Read | None:
    """``/workspaces/{wid}/projects/{pid}/tasks``: ``active=true`` only active ones; false,
    ``both`` or nothing: all of them. A project not held is the upstream's to refuse."""
    if set(query) - {"active"}:
        return None
    try:
        only_active = queries.tristate(query, "active") is True
    except queries.Unsure:
        return None

    def answer(view: View) -> bytes | None:
        if not _project_held(view, wid, pid):
            return None
        return join_array(
            [
                h.body
                for h in view.live(TASKS)
                if h.value.get("project_id") == pid
                and h.workspace_id == wid
                and (not only_active or h.value.get("active") is True)
            ]
        )

    return Read((TASKS, PROJECTS, WORKSPACES), answer)


def one(wid: int, pid: int, tid: int) -> Read:
    def answer(view: View) -> bytes | None:
        if not _project_held(view, wid, pid):
            return None
        task = view.by_id(TASKS).get(tid)
        if task is None or task.value.get("project_id") != pid or task.workspace_id != wid:
            return None
        return task.body.encode()

    return Read((TASKS, PROJECTS, WORKSPACES), answer)


def _sorted(found: list[Held], field: str, descending: bool) -> list[Held] | None:
    """In the upstream's order by ``name`` or ``at``; None when ``at`` ties within a second
    (the upstream breaks those ties by a fraction the answers do not show)."""
    if field != "name":
        stamps = [h.at for h in found]
        if None in stamps or len(set(stamps)) != len(stamps):
            return None

    def key(h: Held) -> Any:
        if field == "name":
            return (str(h.value.get("name", "")).casefold(), h.object_id)
        return (h.at, h.object_id)

    return sorted(found, key=key, reverse=descending)


def of_workspace(wid: int, query: queries.Query) -> Read | None:
    """``/workspaces/{wid}/tasks``: Toggl's page envelope over the workspace's tasks."""
    known = {"active", "pid", "since", "page", "per_page", "sort_field", "sort_order"}
    if set(query) - known:
        return None
    try:
        active = queries.tristate(query, "active")
        pids = queries.ids(query, "pid")
        changed = _since(queries.unix(query, "since"))
        page = queries.count(query, "page", 1)
        size = queries.count(query, "per_page", WORKSPACE_PER_PAGE, WORKSPACE_MAX_PER_PAGE)
        field = queries.choice(query, "sort_field", ("name", "at"), "name")
        descending = queries.descending(query)
    except queries.Unsure:
        return None
    if pids is not None and len(pids) != 1:
        return None

    def answer(view: View) -> bytes | None:
        if all(h.object_id != wid for h in view.live(WORKSPACES)):
            return None
        found = [
            h
            for h in view.live(TASKS)
            if h.workspace_id == wid
            and (active is None or h.value.get("active") is active)
            and (pids is None or h.value.get("project_id") == pids[0])
            and changed(h)
        ]
        ordered = _sorted(found, field, descending)
        if ordered is None:
            return None
        shown = ordered[(page - 1) * size : page * size]
        text = (
            '{"data":' + join_array([h.body for h in shown]).decode()
            + f',"page":{page},"per_page":{size},"sort_field":{encode(field)}'
            + f',"sort_order":{encode("DESC" if descending else "ASC")}'
            + f',"total_count":{len(found)}}}'
        )  # fmt: skip
        return text.encode()

    return Read((TASKS, WORKSPACES), answer)
