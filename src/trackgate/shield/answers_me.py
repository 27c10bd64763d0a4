"""``/me`` (with ``with_related_data=true`` too) and the user's organizations from the mirror.

``with_related_data=true`` adds, between ``oauth_providers`` and
``authorization_updated_at``: ``tags``, ``clients`` (as ``/me/tags`` and ``/me/clients``),
``time_entries`` (every one not deleted, newest first: answered only once the mirror
provably holds all of them), ``projects`` (archived ones included, by id) and
``workspaces`` (as ``/me/workspaces``, without ``active_project_count``); no ``tasks``.
"""

from __future__ import annotations

from trackgate.shield import queries
from trackgate.shield.answers_entries import holds_all, newest_first
from trackgate.shield.rawjson import join_array
from trackgate.shield.rawobject import join_object, member, members
from trackgate.shield.rules import (
    CLIENTS,
    ME,
    ORGANIZATIONS,
    PROJECTS,
    TAGS,
    TIME_ENTRIES,
    WORKSPACES,
)
from trackgate.shield.views import Read, View

RELATED_KINDS = (ME, TAGS, CLIENTS, TIME_ENTRIES, PROJECTS, WORKSPACES)
#: the key the related lists are written before
RELATED_BEFORE = "authorization_updated_at"
#: what ``/me/workspaces`` shows of a workspace and the related list does not
WORKSPACE_COUNT = "active_project_count"


def _me(view: View) -> bytes | None:
    users = view.live(ME)
    return users[0].body.encode() if users else None


def _workspace(body: str) -> str | None:
    found = members(body)
    if found is None:
        return None
    return join_object([m for m in found if m[0] != WORKSPACE_COUNT])


def _with_related(view: View) -> bytes | None:
    users = view.live(ME)
    found = members(users[0].body) if users else None
    if found is None or not holds_all(view.coverage):
        return None
    entries = newest_first(view.live(TIME_ENTRIES))
    keys = [key for key, _ in found]
    if RELATED_BEFORE not in keys:
        return None
    workspaces = [_workspace(h.body) for h in view.live(WORKSPACES)]
    if any(body is None for body in workspaces):
        return None
    projects = sorted(view.live(PROJECTS), key=lambda h: h.object_id)
    related = [
        ("tags", [h.body for h in view.live(TAGS)]),
        ("clients", [h.body for h in view.live(CLIENTS)]),
        ("time_entries", [h.body for h in entries]),
        ("projects", [h.body for h in projects]),
        ("workspaces", [body for body in workspaces if body is not None]),
    ]
    added = [member(key, join_array(items).decode()) for key, items in related]
    place = keys.index(RELATED_BEFORE)
    return join_object(found[:place] + added + found[place:]).encode()


def me(query: queries.Query) -> Read | None:
    if set(query) - {"with_related_data"}:
        return None
    try:
        related = queries.flag(query, "with_related_data")
    except queries.Unsure:
        return None
    if related:
        return Read(RELATED_KINDS, _with_related, holds_all)
    return Read((ME,), _me)


def organizations() -> Read:
    def answer(view: View) -> bytes:
        return join_array([h.body for h in view.live(ORGANIZATIONS)])

    return Read((ORGANIZATIONS,), answer)


def organization(oid: int) -> Read:
    """One of the user's organizations; any other is the upstream's to refuse."""

    def answer(view: View) -> bytes | None:
        held = view.by_id(ORGANIZATIONS).get(oid)
        return held.body.encode() if held else None

    return Read((ORGANIZATIONS,), answer)
