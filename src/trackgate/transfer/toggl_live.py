"""Import from a live Toggl account in as few requests as its API allows.

The catalog costs ``3 + 2 x workspaces`` requests (``/me?with_related_data=true`` carries
workspaces, clients, projects and tags; then organizations, tasks, and per workspace its users
and project users) and is written in one transaction. Time entries come from the Reports API
detailed search, a calendar year per request and up to 1000 rows a page, each page committed
with a checkpoint: killed at any point, the same command continues at the page it stopped at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from trackgate.crypto import Keyring
from trackgate.storage.database import Database
from trackgate.storage.models import User, Workspace
from trackgate.transfer import toggl_catalog as catalog
from trackgate.transfer.toggl_entries import NewEntry, write_entries
from trackgate.transfer.toggl_people import member, person
from trackgate.transfer.toggl_refs import Refs, checkpoint, set_checkpoint, source_for
from trackgate.transfer.toggl_summary import Summary
from trackgate.transfer.toggl_upstream import Upstream, UpstreamError

Json = dict[str, Any]
PAGE_SIZE = 1000
#: Toggl refuses report dates before this.
EARLIEST_YEAR = 2006


@dataclass(frozen=True)
class LiveRequest:
    url: str
    since: date | None = None
    until: date | None = None


@dataclass
class Fetched:
    """The account's catalog as Toggl listed it."""

    me: Json
    organizations: list[Json]
    tasks: list[Json]
    workspace_users: dict[int, list[Json]]
    project_users: dict[int, list[Json]]


def _list(value: Any) -> list[Json]:
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value = value["data"]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def fetch_catalog(up: Upstream) -> Fetched:
    me = up.get("/api/v9/me", "your user and catalog", with_related_data="true")
    if not isinstance(me, dict) or not isinstance(me.get("id"), int):
        raise UpstreamError("GET /me did not answer a user")
    orgs = _list(up.get("/api/v9/me/organizations", "organizations"))
    tasks = _list(up.get("/api/v9/me/tasks", "tasks", include_not_active="true"))
    users: dict[int, list[Json]] = {}
    members: dict[int, list[Json]] = {}
    for ws in _list(me.get("workspaces")):
        wid = int(ws["id"])
        try:
            users[wid] = _list(
                up.get(f"/api/v9/workspaces/{wid}/workspace_users", "workspace users")
            )
        except UpstreamError:
            users[wid] = []  # only admins may list them: the account's own entries still come
        try:
            members[wid] = _list(up.get(f"/api/v9/workspaces/{wid}/project_users", "project users"))
        except UpstreamError:
            members[wid] = []
    return Fetched(me, orgs, tasks, users, members)


def _wid(wire: Json) -> int | None:
    found = wire.get("workspace_id", wire.get("wid"))
    return found if isinstance(found, int) else None


def write_catalog(
    session: Session, keyring: Keyring, source: str, got: Fetched, summary: Summary
) -> dict[int, int]:
    """Everything but time entries; answers Toggl workspace id -> local workspace id."""
    refs = Refs(session, source, catalog.CATALOG_KINDS)
    me = got.me
    orgs = {int(o["id"]): o for o in got.organizations if isinstance(o.get("id"), int)}
    local_ws: dict[int, Workspace] = {}
    for ws in _list(me.get("workspaces")):
        oid = ws.get("organization_id")
        org_wire = orgs.get(oid) if isinstance(oid, int) else None
        org = catalog.organization(
            session, refs, summary, org_wire or {"id": oid or -int(ws["id"]), "name": ws["name"]}
        )
        local_ws[int(ws["id"])] = catalog.workspace(session, refs, summary, ws, org.id)
    first = next(iter(local_ws.values()), None)
    owner = person(
        session,
        keyring,
        summary,
        str(me.get("email") or ""),
        fullname=str(me.get("fullname") or ""),
        timezone=me.get("timezone") if isinstance(me.get("timezone"), str) else None,
        workspace=first,
        role="admin",
    )
    refs.put("user", int(me["id"]), owner.id)
    for toggl_wid, ws_row in local_ws.items():
        listed = got.workspace_users.get(toggl_wid) or []
        if not any(u.get("email") == me.get("email") for u in listed):
            listed = [{"uid": me["id"], "email": me.get("email"), "admin": True}, *listed]
        for wu in listed:
            member(session, keyring, refs, summary, wu, ws_row)
    if first is not None and owner.default_workspace_id is None:
        owner.default_workspace_id = first.id

    def place(wire: Json) -> int | None:
        wid = _wid(wire)
        return local_ws[wid].id if wid in local_ws else None

    for kind, writer in (("clients", catalog.client), ("tags", catalog.tag)):
        for wire in _list(me.get(kind)):
            local = place(wire)
            if (
                local is not None
                and not wire.get("server_deleted_at")
                and not wire.get("deleted_at")
            ):
                writer(session, refs, summary, wire, local, owner.id)
    for wire in sorted(_list(me.get("projects")), key=lambda p: int(p["id"])):
        local = place(wire)
        if local is not None and not wire.get("server_deleted_at"):
            catalog.project(session, refs, summary, wire, local, owner.id)
    for wire in got.tasks:
        local = place(wire)
        if local is not None:
            catalog.task(session, refs, summary, wire, local)
    for members in got.project_users.values():
        for wire in members:
            local = place(wire)
            if local is not None:
                catalog.project_user(session, refs, summary, wire, local)
    session.flush()
    return {wid: ws.id for wid, ws in local_ws.items()}


def _earliest_year(got: Fetched) -> int:
    """The year the account began: past it, a year without entries ends the search."""
    stamps = [got.me.get("created_at")]
    stamps += [w.get("created_at") or w.get("at") for w in _list(got.me.get("workspaces"))]
    stamps += [o.get("created_at") for o in got.organizations]
    years = [s.year for s in map(catalog.stamp, stamps) if s is not None]
    return min(years) if years else datetime.now(UTC).year


def _spans(year: int, since: date | None, until: date) -> tuple[date, date]:
    first = max(date(year, 1, 1), since) if since else date(year, 1, 1)
    return first, min(date(year, 12, 31), until)


class EntryImport:
    """Time entries of one workspace, a year at a time, newest year first."""

    def __init__(
        self,
        db: Database,
        keyring: Keyring,
        up: Upstream,
        source: str,
        summary: Summary,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.up = up
        self.source = source
        self.summary = summary

    def run(self, toggl_wid: int, local_wid: int, request: LiveRequest, begin: int) -> None:
        today = datetime.now(UTC).date()
        until = request.until or today
        year = until.year
        lowest = request.since.year if request.since else EARLIEST_YEAR
        while year >= lowest:
            first, last = _spans(year, request.since, until)
            rows = self.span(toggl_wid, local_wid, first, last, today)
            if rows == 0 and request.since is None and year < begin:
                break
            year -= 1

    def span(self, wid: int, local_wid: int, first: date, last: date, today: date) -> int:
        """Import one span (at most a year); answers how many entries it held."""
        key = f"entries:{wid}:{first}:{last}"
        with self.db.read() as session:
            done = checkpoint(session, self.source, key)
            cursor = checkpoint(session, self.source, "cursor:" + key)
        if done is not None:
            self.summary.add("time_entries", int(done))
            return int(done)
        state = json.loads(cursor) if cursor else {"rows": 0}
        while True:
            body: Json = {
                "start_date": first.isoformat(),
                "end_date": last.isoformat(),
                "page_size": PAGE_SIZE,
                "order_by": "date",
                "order_dir": "ASC",
            }
            if "first_id" in state:
                body["first_id"] = state["first_id"]
                body["first_row_number"] = state["first_row_number"]
            response = self.up.call(
                "POST",
                f"/reports/api/v3/workspace/{wid}/search/time_entries",
                f"time entries {first.year}: {state['rows']} so far",
                json=body,
            )
            page = _list(response.json())
            next_id = response.headers.get("X-Next-ID")
            next_row = response.headers.get("X-Next-Row-Number")
            state["rows"] += sum(len(_list(r.get("time_entries"))) for r in page)
            with self.db.write() as session:
                self.write_page(session, local_wid, page)
                if next_id and next_row:
                    state.update(first_id=int(next_id), first_row_number=int(next_row))
                    set_checkpoint(session, self.source, "cursor:" + key, json.dumps(state))
                else:
                    set_checkpoint(session, self.source, "cursor:" + key, None)
                    # a span that reaches today may still grow: asked again next time
                    if last < today:
                        set_checkpoint(session, self.source, key, str(state["rows"]))
            if not (next_id and next_row):
                self.summary.add("time_entries", int(state["rows"]))
                return int(state["rows"])

    def write_page(self, session: Session, local_wid: int, page: list[Json]) -> None:
        refs = Refs(session, self.source, ("user", "project", "task", "tag"))
        entries: list[NewEntry] = []
        for row in page:
            uid = row.get("user_id")
            user_id = refs.get("user", uid if isinstance(uid, int) else None)
            if user_id is None and isinstance(uid, int):
                user_id = self.former_member(session, refs, uid, local_wid)
            if user_id is None:
                continue
            tags = [refs.get("tag", t) for t in row.get("tag_ids") or [] if isinstance(t, int)]
            for te in _list(row.get("time_entries")):
                start = catalog.stamp(te.get("start"))
                stop = catalog.stamp(te.get("stop"))
                if start is None or stop is None or not isinstance(te.get("id"), int):
                    continue  # a running entry: Toggl's reports leave it out too
                entries.append(
                    NewEntry(
                        workspace_id=local_wid,
                        user_id=user_id,
                        start=start,
                        stop=stop,
                        description=str(row.get("description") or ""),
                        project_id=refs.get("project", row.get("project_id")),
                        task_id=refs.get("task", row.get("task_id")),
                        billable=bool(row.get("billable")),
                        tag_ids=[t for t in tags if t is not None],
                        at=catalog.stamp(te.get("at")),
                        toggl_id=int(te["id"]),
                    )
                )
        write_entries(session, self.source, entries)

    def former_member(self, session: Session, refs: Refs, uid: int, local_wid: int) -> int:
        """Someone whose entries remain but whom Toggl no longer lists (no e-mail shown): a
        user of their own, named by their Toggl id, so their time still counts."""
        ws = session.get(Workspace, local_wid)
        user: User = person(
            session, self.keyring, self.summary, f"toggl-user-{uid}@users.invalid", workspace=ws
        )
        refs.put("user", uid, user.id)
        return user.id


def import_live(
    db: Database, keyring: Keyring, up: Upstream, request: LiveRequest, summary: Summary
) -> Summary:
    source = source_for(request.url)
    got = fetch_catalog(up)
    with db.write() as session:
        places = write_catalog(session, keyring, source, got, summary)
    entries = EntryImport(db, keyring, up, source, summary)
    begin = _earliest_year(got)
    for toggl_wid, local_wid in places.items():
        entries.run(toggl_wid, local_wid, request, begin)
    summary.upstream_requests = up.requests
    return summary
