"""Import Toggl's workspace data-export ZIP (clients, projects, tags, workspace users, project
users, tasks; Toggl puts no time entries in it) in one transaction, found again by Toggl id."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from trackgate.crypto import Keyring
from trackgate.storage.database import Database
from trackgate.storage.models import Workspace
from trackgate.transfer import toggl_catalog as catalog
from trackgate.transfer.toggl_people import ImportRefused, first_workspace_of, member, new_workspace
from trackgate.transfer.toggl_refs import TOGGL, Refs
from trackgate.transfer.toggl_summary import Summary

Json = dict[str, Any]
#: A member of the archive larger than this is not Toggl's export (and not read into memory).
MAX_MEMBER_BYTES = 256 * 1024 * 1024


def _read(archive: zipfile.ZipFile, name: str) -> list[Json]:
    info = archive.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise ImportRefused(f"{name} in the ZIP is too large to be Toggl's export")
    try:
        found = json.loads(archive.read(name))
    except (ValueError, UnicodeDecodeError):
        raise ImportRefused(f"{name} in the ZIP is not JSON") from None
    if isinstance(found, dict) and isinstance(found.get("data"), list):
        found = found["data"]
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list):
        raise ImportRefused(f"{name} in the ZIP is not a list of objects")
    return [f for f in found if isinstance(f, dict) and isinstance(f.get("id"), int)]


def read_zip(path: Path) -> dict[str, list[Json]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ImportRefused(f"{path} is not a ZIP file") from None
    parts: dict[str, list[Json]] = {
        k: [] for k in ("clients", "projects", "tags", "workspace_users", "project_users", "tasks")
    }
    with archive:
        for name in archive.namelist():
            if name.endswith("/") or not name.endswith(".json"):
                continue
            folder, _, base = name.rpartition("/")
            top = folder.split("/")[-1] if folder else ""
            stem = base[: -len(".json")]
            if top in ("projects_users", "project_users"):
                parts["project_users"] += _read(archive, name)
            elif top == "tasks":
                parts["tasks"] += _read(archive, name)
            elif stem in parts:
                parts[stem] += _read(archive, name)
    if not any(parts.values()):
        raise ImportRefused(f"{path} holds none of Toggl's export files (clients.json, ...)")
    return parts


def _wid(wire: Json) -> int | None:
    found = wire.get("workspace_id", wire.get("wid"))
    return found if isinstance(found, int) else None


def _target(
    session: Session, refs: Refs, parts: dict[str, list[Json]], asked: int | None
) -> Workspace:
    if asked is not None:
        ws = session.get(Workspace, asked)
        if ws is None:
            raise ImportRefused(f"no workspace {asked} (--workspace)")
        return ws
    toggl_wids = [w for part in parts.values() for w in map(_wid, part) if w is not None]
    for toggl_wid in toggl_wids[:1]:
        local = refs.get("workspace", toggl_wid)
        ws = session.get(Workspace, local) if local is not None else None
        if ws is not None:
            return ws
    emails = [str(u.get("email")) for u in parts["workspace_users"] if u.get("email")]
    ws = first_workspace_of(session, emails) or new_workspace(session, "Imported from Toggl")
    if toggl_wids:
        refs.put("workspace", toggl_wids[0], ws.id)
    return ws


def import_zip(
    db: Database, keyring: Keyring, path: Path, workspace_id: int | None, summary: Summary
) -> Summary:
    parts = read_zip(path)
    with db.write() as session:
        refs = Refs(session, TOGGL, catalog.CATALOG_KINDS)
        ws = _target(session, refs, parts, workspace_id)
        summary.add("workspaces")
        users = sorted(parts["workspace_users"], key=lambda u: not u.get("admin"))
        creator = None
        for wire in users:
            made = member(session, keyring, refs, summary, wire, ws)
            if made is not None and creator is None:
                creator = made.id
        if creator is None:
            raise ImportRefused("workspace_users.json names nobody with an e-mail address")
        for wire in parts["clients"]:
            catalog.client(session, refs, summary, wire, ws.id, creator)
        for wire in sorted(parts["projects"], key=lambda p: int(p["id"])):
            if not wire.get("server_deleted_at"):
                catalog.project(session, refs, summary, wire, ws.id, creator)
        for wire in parts["tags"]:
            if not wire.get("deleted_at"):
                catalog.tag(session, refs, summary, wire, ws.id, creator)
        for wire in parts["tasks"]:
            catalog.task(session, refs, summary, wire, ws.id)
        for wire in parts["project_users"]:
            catalog.project_user(session, refs, summary, wire, ws.id)
    return summary
