"""What a gateway key may do: four scopes, and the one table of the calls each one allows.

A key carries scopes, chosen when it is made; a connection carries the scopes its owner granted
on the connect page. A proxied call is judged from its method and path template before anything
is sent upstream: it needs one scope (:func:`needed`), which both the key and the connection
must hold. The connect page's words, the MCP tool list and the docs' table (the gateway page)
come from here.

- ``read``: every ``GET`` (and ``HEAD``) of a path in the table, and the ``POST`` calls that only
  read (the Reports API's searches and exports, a workspace's ``users/data``);
- ``time:write``: create, update, stop and delete time entries;
- ``catalog:write``: create, change and delete projects, clients, tags and tasks;
- ``admin``: everything else -- the profile and its preferences, workspaces, organizations,
  users, invitations, project members, groups, webhook subscriptions, and every path or method
  the table does not name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

READ = "read"
TIME_WRITE = "time:write"
CATALOG_WRITE = "catalog:write"
ADMIN = "admin"


@dataclass(frozen=True)
class Scope:
    name: str
    #: what the person connecting grants, in the words of the connect page ("... to <consent>")
    consent: str
    #: what it allows, as the docs' table of scopes says it (a test keeps them equal)
    allows: str


SCOPES: tuple[Scope, ...] = (
    Scope(
        READ,
        "see your time entries, projects, clients and tags",
        "every `GET` of a known path, and the POSTs that only read: Reports API searches and "
        "exports, a workspace's `users/data`",
    ),
    Scope(
        TIME_WRITE,
        "start, stop and change time entries",
        "create, update, stop and delete time entries",
    ),
    Scope(
        CATALOG_WRITE,
        "create and change projects, clients, tags and tasks",
        "create, update and delete projects, clients, tags and tasks",
    ),
    Scope(
        ADMIN,
        "change workspace and organization settings and invite people",
        "everything else: the profile and its preferences, workspaces, organizations, users, "
        "invitations, project members, groups, webhook subscriptions, and any path or method "
        "the gateway does not know",
    ),
)
NAMES: tuple[str, ...] = tuple(scope.name for scope in SCOPES)
ALL: frozenset[str] = frozenset(NAMES)
#: A new key's scopes unless others are chosen: what the connect page used to promise.
DEFAULT: frozenset[str] = frozenset({READ, TIME_WRITE, CATALOG_WRITE})
#: Granted by every connection: the connect page cannot be completed without it.
REQUIRED_GRANT = READ

_V9 = "/api/v9"
_WS = _V9 + "/workspaces/{workspace_id}"
_ORG = _V9 + "/organizations/{organization_id}"
_REPORTS = "/reports/api/v3/workspace/{workspace_id}"

#: (method, path template, scope) for every call a key may make without ``admin``; every other
#: call needs ``admin``. A ``GET`` row covers ``HEAD`` and ``OPTIONS`` of the same path too.
TABLE: tuple[tuple[str, str, str], ...] = (
    # the user, and what it sees across its workspaces
    ("GET", _V9 + "/me", READ),
    ("GET", _V9 + "/me/id", READ),
    ("GET", _V9 + "/me/logged", READ),
    ("GET", _V9 + "/me/quota", READ),
    ("GET", _V9 + "/me/features", READ),
    ("GET", _V9 + "/me/preferences", READ),
    ("GET", _V9 + "/me/preferences/{client}", READ),
    ("GET", _V9 + "/me/workspaces", READ),
    ("GET", _V9 + "/me/organizations", READ),
    ("GET", _V9 + "/me/projects", READ),
    ("GET", _V9 + "/me/projects/paginated", READ),
    ("GET", _V9 + "/me/clients", READ),
    ("GET", _V9 + "/me/tags", READ),
    ("GET", _V9 + "/me/tasks", READ),
    ("GET", _V9 + "/me/time_entries", READ),
    ("GET", _V9 + "/me/time_entries/current", READ),
    ("GET", _V9 + "/me/time_entries/{time_entry_id}", READ),
    ("GET", _V9 + "/timezones", READ),
    # organizations and workspaces: reading them is `read`, changing them `admin`
    ("GET", _ORG, READ),
    ("GET", _ORG + "/owner", READ),
    ("GET", _ORG + "/roles", READ),
    ("GET", _ORG + "/workspaces", READ),
    ("GET", _ORG + "/users", READ),
    ("GET", _ORG + "/users/detailed", READ),
    ("GET", _ORG + "/workspaces/{workspace_id}/workspace_users", READ),
    ("GET", _V9 + "/workspaces", READ),
    ("GET", _WS, READ),
    ("GET", _WS + "/statistics", READ),
    ("GET", _WS + "/users", READ),
    ("POST", _WS + "/users/data", READ),
    ("GET", _WS + "/workspace_users", READ),
    ("GET", _WS + "/project_users", READ),
    ("GET", _WS + "/currencies", READ),
    ("GET", _WS + "/time_entry_constraints", READ),
    # time entries
    ("POST", _WS + "/time_entries", TIME_WRITE),
    ("PUT", _WS + "/time_entries/{time_entry_ids}", TIME_WRITE),
    ("PATCH", _WS + "/time_entries/{time_entry_ids}", TIME_WRITE),
    ("DELETE", _WS + "/time_entries/{time_entry_ids}", TIME_WRITE),
    ("PATCH", _WS + "/time_entries/{time_entry_id}/stop", TIME_WRITE),
    # projects, clients, tags and tasks
    ("GET", _WS + "/projects", READ),
    ("POST", _WS + "/projects", CATALOG_WRITE),
    ("GET", _WS + "/projects/{project_id}", READ),
    ("PUT", _WS + "/projects/{project_ids}", CATALOG_WRITE),
    ("PATCH", _WS + "/projects/{project_ids}", CATALOG_WRITE),
    ("DELETE", _WS + "/projects/{project_ids}", CATALOG_WRITE),
    ("POST", _WS + "/projects/{project_id}/pin", CATALOG_WRITE),
    ("GET", _WS + "/clients", READ),
    ("POST", _WS + "/clients", CATALOG_WRITE),
    ("GET", _WS + "/clients/{client_id}", READ),
    ("PUT", _WS + "/clients/{client_id}", CATALOG_WRITE),
    ("DELETE", _WS + "/clients/{client_id}", CATALOG_WRITE),
    ("POST", _WS + "/clients/{client_id}/archive", CATALOG_WRITE),
    ("POST", _WS + "/clients/{client_id}/restore", CATALOG_WRITE),
    ("GET", _WS + "/tags", READ),
    ("POST", _WS + "/tags", CATALOG_WRITE),
    ("PUT", _WS + "/tags/{tag_id}", CATALOG_WRITE),
    ("DELETE", _WS + "/tags/{tag_id}", CATALOG_WRITE),
    ("GET", _WS + "/tasks", READ),
    ("GET", _WS + "/projects/{project_id}/tasks", READ),
    ("POST", _WS + "/projects/{project_id}/tasks", CATALOG_WRITE),
    ("GET", _WS + "/projects/{project_id}/tasks/{task_id}", READ),
    ("PUT", _WS + "/projects/{project_id}/tasks/{task_ids}", CATALOG_WRITE),
    ("PATCH", _WS + "/projects/{project_id}/tasks/{task_ids}", CATALOG_WRITE),
    ("DELETE", _WS + "/projects/{project_id}/tasks/{task_ids}", CATALOG_WRITE),
    # the Reports API v3: POSTs that compute a report or an export and change nothing
    ("POST", _REPORTS + "/search/time_entries", READ),
    ("POST", _REPORTS + "/search/time_entries/totals", READ),
    ("POST", _REPORTS + "/search/time_entries.csv", READ),
    ("POST", _REPORTS + "/search/time_entries.pdf", READ),
    ("POST", _REPORTS + "/summary/time_entries", READ),
    ("POST", _REPORTS + "/summary/time_entries.csv", READ),
    ("POST", _REPORTS + "/summary/time_entries.pdf", READ),
    ("POST", _REPORTS + "/weekly/time_entries", READ),
    ("POST", _REPORTS + "/weekly/time_entries.csv", READ),
    ("POST", _REPORTS + "/weekly/time_entries.pdf", READ),
    ("POST", _REPORTS + "/projects/summary", READ),
    ("POST", _REPORTS + "/projects/{project_id}/summary", READ),
)

#: Methods judged as ``GET`` of the same path.
_AS_GET = ("HEAD", "OPTIONS")
_PARAMETER = re.compile(r"\{[^/{}]*\}")


def shape(template: str) -> str:
    """A template with its parameters unnamed: ``/projects/{project_id}`` and
    ``/projects/{project_ids}`` are the same path."""
    return _PARAMETER.sub("{}", template)


def _compile(table: Iterable[tuple[str, str, str]]) -> list[tuple[re.Pattern[str], dict[str, str]]]:
    """Templates as patterns (a parameter is one path segment), each with its methods;
    templates with fewer parameters are tried first, so ``/current`` is not read as an id."""
    rows: dict[str, dict[str, str]] = {}
    for method, template, scope in table:
        methods = rows.setdefault(shape(template), {})
        methods[method] = scope
        if method == "GET":
            methods.update({alias: scope for alias in _AS_GET})
    ordered = sorted(rows, key=lambda shaped: shaped.count("{}"))
    return [
        (re.compile("^" + re.escape(shaped).replace(r"\{\}", "[^/]+") + "$"), rows[shaped])
        for shaped in ordered
    ]


_ROWS = _compile(TABLE)
_NOTHING: Mapping[str, str] = MappingProxyType({})


def methods_for(path: str) -> Mapping[str, str]:
    """method -> scope for a canonical path (see ``hygiene.canonical_path``); a method it does
    not name, and every method of a path the table does not know, needs ``admin``."""
    for pattern, methods in _ROWS:
        if pattern.match(path):
            return MappingProxyType(methods)
    return _NOTHING


def needed(method: str, path: str) -> str:
    """The scope a call needs."""
    return methods_for(path).get(method.upper(), ADMIN)


def parse(values: Iterable[str]) -> frozenset[str]:
    """Scope names as given (repeated, or several in one value split by spaces or commas);
    ValueError naming the first unknown one, or when none is given."""
    found: set[str] = set()
    for value in values:
        for name in re.split(r"[\s,]+", value.strip()):
            if not name:
                continue
            if name not in ALL:
                raise ValueError(f"unknown scope {name!r}; scopes are {', '.join(NAMES)}")
            found.add(name)
    if not found:
        raise ValueError(f"give at least one scope of {', '.join(NAMES)}")
    return frozenset(found)


def ordered(scopes: Iterable[str]) -> list[str]:
    """Scope names in the table's order (unknown names are dropped)."""
    given = set(scopes)
    return [name for name in NAMES if name in given]


def spell(scopes: Iterable[str]) -> str:
    """How scopes are stored: names in the table's order, separated by spaces."""
    return " ".join(ordered(scopes))


def read_stored(text: str | None) -> frozenset[str]:
    """Stored scopes as a set (names no longer known grant nothing)."""
    return frozenset(name for name in (text or "").split() if name in ALL)


def consent(name: str) -> str:
    return next(scope.consent for scope in SCOPES if scope.name == name)
