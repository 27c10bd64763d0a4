"""``/workspaces/{wid}/projects`` from the mirror, with the filters, order and paging the
upstream applies. The mirror holds every project the user can see, archived ones included
(``/me/projects?include_archived=true``); deleted ones it does not hold, so ``since`` (which
lists them as changes) passes through, and so does an order the held fields cannot decide:
``at`` or ``created_at`` ties within a second, which the upstream breaks by a fraction its
answers do not show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trackgate.shield import queries
from trackgate.shield.rawjson import epoch, join_array
from trackgate.shield.rules import CLIENTS, PROJECTS, WORKSPACES
from trackgate.shield.views import Held, Read, View

#: Toggl's page size of the listing, and the most it allows
PER_PAGE = 151
MAX_PER_PAGE = 200
SORT_FIELDS = ("name", "created_at", "at", "client_name", "billable", "active")
PARAMETERS = {
    "active",
    "billable",
    "client_ids",
    "name",
    "page",
    "per_page",
    "sort_field",
    "sort_order",
    "sort_pinned",
}


def _name(held: Held) -> str:
    return str(held.value.get("name", "")).casefold()


def _sort_key(field: str, view: View, found: list[Held]) -> Callable[[Held], Any] | None:
    """The upstream's sort key, or None when the held fields cannot decide the order."""
    if field == "name":
        return lambda h: (_name(h), h.object_id)
    if field == "client_name":
        clients = view.by_id(CLIENTS)
        wanted = {h.value.get("client_id") for h in found} - {None}
        names: dict[int, str] = {}
        for cid in wanted:
            if not isinstance(cid, int) or cid not in clients:
                return None
            names[cid] = str(clients[cid].value.get("name", ""))
        return lambda h: (
            names.get(h.value.get("client_id") or 0, "").casefold(),
            _name(h),
            h.object_id,
        )
    if field in ("billable", "active"):
        if any(not isinstance(h.value.get(field), bool) for h in found):
            return None
        return lambda h: (h.value[field], h.object_id)
    stamps = [epoch(h.value.get(field)) for h in found]
    if None in stamps or len(set(stamps)) != len(stamps):
        return None
    return lambda h: (epoch(h.value.get(field)), h.object_id)


def listing(wid: int, query: queries.Query) -> Read | None:
    if set(query) - PARAMETERS:
        return None
    try:
        active = queries.tristate(query, "active")
        billable = queries.flag(query, "billable")
        client_ids = queries.ids(query, "client_ids")
        page = queries.count(query, "page", 1)
        size = queries.count(query, "per_page", PER_PAGE, MAX_PER_PAGE)
        field = queries.choice(query, "sort_field", SORT_FIELDS, "")
        descending = queries.descending(query)
        pinned_first = bool(queries.flag(query, "sort_pinned"))
    except queries.Unsure:
        return None
    needle = query.get("name", "").casefold()

    def keep(h: Held) -> bool:
        value = h.value
        return (
            h.workspace_id == wid
            and (active is None or value.get("active") is active)
            and (billable is None or value.get("billable") is billable)
            and (client_ids is None or value.get("client_id") in client_ids)
            and needle in _name(h)
        )

    def answer(view: View) -> bytes | None:
        if all(h.object_id != wid for h in view.live(WORKSPACES)):
            return None  # a workspace the user is not in is the upstream's to refuse
        found = [h for h in view.live(PROJECTS) if keep(h)]  # in the upstream's name order
        if field or descending:
            key = _sort_key(field or "name", view, found)
            if key is None:
                return None
            found.sort(key=key, reverse=descending)
        if pinned_first:
            found.sort(key=lambda h: h.value.get("pinned") is not True)
        return join_array([h.body for h in found[(page - 1) * size : page * size]])

    return Read(
        (PROJECTS, WORKSPACES, CLIENTS) if field == "client_name" else (PROJECTS, WORKSPACES),
        answer,
    )
