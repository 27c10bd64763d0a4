"""Which reads the mirror can answer exactly, and the answer it gives.

:func:`plan` looks at a GET's path and query and says which kinds it needs fresh and how to
build the answer from them; None means pass it through. An answer function may still decline
(None) when the mirror turns out not to hold everything the query covers (a range of time
entries older than what it holds, ``since`` older than its first fill, a date it cannot place
for sure, a name ``meta=true`` would join in that it does not hold), when it cannot decide
the upstream's order, or for a single object it does not hold. The answers themselves live
in ``answers_*`` modules, one per family of reads.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from trackgate.shield import answers_entries, answers_me, answers_projects, answers_tasks, queries
from trackgate.shield.rawjson import join_array
from trackgate.shield.rules import API, CLIENTS, PROJECTS, TAGS, TIME_ENTRIES, WORKSPACES
from trackgate.shield.views import Answer, Coverage, Held, Read, View

__all__ = ["Answer", "Coverage", "Held", "Read", "View", "plan"]


def _listing(kind: str, keep: Callable[[Held], bool] = lambda _: True) -> Read:
    def answer(view: View) -> bytes:
        return join_array([h.body for h in view.live(kind) if keep(h)])

    return Read((kind,), answer)


def _workspace_listing(kind: str, wid: int, keep: Callable[[Held], bool]) -> Read:
    """One workspace's objects; a workspace the user is not in is the upstream's to refuse."""
    inner = _listing(kind, lambda h: h.workspace_id == wid and keep(h))

    def answer(view: View) -> bytes | None:
        if all(h.object_id != wid for h in view.live(WORKSPACES)):
            return None
        return inner.answer(view)

    return Read((kind, WORKSPACES), answer)


def _single(kind: str, object_id: int, workspace_id: int | None = None) -> Read:
    def answer(view: View) -> bytes | None:
        for held in view.live(kind):
            if held.object_id == object_id and workspace_id in (None, held.workspace_id):
                return held.body.encode()
        return None

    return Read((kind,), answer)


_NUMBER = r"(\d{1,18})"
_WS_ONE = re.compile(rf"^{API}/workspaces/{_NUMBER}$")
_WS_LIST = re.compile(rf"^{API}/workspaces/{_NUMBER}/(projects|clients|tags|tasks)$")
_WS_SINGLE = re.compile(rf"^{API}/workspaces/{_NUMBER}/(projects|clients)/{_NUMBER}$")
_PROJECT_TASKS = re.compile(rf"^{API}/workspaces/{_NUMBER}/projects/{_NUMBER}/tasks$")
_PROJECT_TASK = re.compile(rf"^{API}/workspaces/{_NUMBER}/projects/{_NUMBER}/tasks/{_NUMBER}$")
_ENTRY_ONE = re.compile(rf"^{API}/me/time_entries/{_NUMBER}$")
_ORGANIZATION = re.compile(rf"^{API}/organizations/{_NUMBER}$")

_ME_LISTS = {
    f"{API}/me/workspaces": WORKSPACES,
    f"{API}/me/clients": CLIENTS,
    f"{API}/me/tags": TAGS,
}


def _active(held: Held) -> bool:
    return held.value.get("active") is True


def plan(path: str, raw_query: str) -> Read | None:
    """How to answer ``GET path?raw_query`` from the mirror, or None to pass it through."""
    query = queries.parse(raw_query)
    if query is None:
        return None
    if path == f"{API}/me/time_entries":
        return answers_entries.listing(query, time.time())
    if path == f"{API}/me":
        return answers_me.me(query)
    if path == f"{API}/me/tasks":
        return answers_tasks.mine(query)
    if found := _ENTRY_ONE.match(path):
        return _entry(int(found.group(1)), query)
    if found := _PROJECT_TASKS.match(path):
        return answers_tasks.of_project(int(found.group(1)), int(found.group(2)), query)
    if found := _WS_LIST.match(path):
        return _workspace_list(int(found.group(1)), found.group(2), query)
    if query:
        if path == f"{API}/me/projects" and query == {"include_archived": "true"}:
            return _listing(PROJECTS)
        return None
    if path == f"{API}/me/time_entries/current":
        return Read((TIME_ENTRIES,), answers_entries.current)
    if path == f"{API}/me/projects":
        return _listing(PROJECTS, _active)
    if path == f"{API}/me/organizations":
        return answers_me.organizations()
    if path in _ME_LISTS:
        return _listing(_ME_LISTS[path])
    return _workspace_read(path)


def _entry(entry_id: int, query: queries.Query) -> Read | None:
    if set(query) - {"meta"}:
        return None
    try:
        meta = bool(queries.flag(query, "meta"))
    except queries.Unsure:
        return None
    return answers_entries.single(entry_id, meta)


def _workspace_list(wid: int, what: str, query: queries.Query) -> Read | None:
    if what == "projects":
        return answers_projects.listing(wid, query)
    if what == "tasks":
        return answers_tasks.of_workspace(wid, query)
    if query:
        return None
    if what == "clients":  # active clients unless ``status`` says otherwise
        return _workspace_listing(CLIENTS, wid, lambda h: not h.value.get("archived"))
    return _workspace_listing(TAGS, wid, lambda _: True)


def _workspace_read(path: str) -> Read | None:
    if found := _WS_ONE.match(path):
        return _single(WORKSPACES, int(found.group(1)))
    if found := _WS_SINGLE.match(path):
        kind = PROJECTS if found.group(2) == "projects" else CLIENTS
        return _single(kind, int(found.group(3)), int(found.group(1)))
    if found := _PROJECT_TASK.match(path):
        wid, pid, tid = (int(found.group(i)) for i in (1, 2, 3))
        return answers_tasks.one(wid, pid, tid)
    if found := _ORGANIZATION.match(path):
        return answers_me.organization(int(found.group(1)))
    return None
