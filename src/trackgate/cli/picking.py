"""Projects and tasks as people type them: an exact name or id first, else a unique
case-insensitive prefix (``web`` for Website), else an error that names the near misses; and
project names offered to the shell's completion from the names cached by the last run."""

from __future__ import annotations

import difflib
import json
from typing import Any

import click
from click.shell_completion import CompletionItem

from trackgate.client import AmbiguousNameError, UnknownNameError


def closest(wanted: str, names: list[str]) -> str:
    """`` Did you mean 'Website'?`` for a near miss, else nothing."""
    by_fold = {n.casefold(): n for n in names}
    near = difflib.get_close_matches(wanted.casefold(), list(by_fold), n=3, cutoff=0.6)
    if not near:
        return ""
    return " Did you mean " + " or ".join(repr(by_fold[n]) for n in near) + "?"


def by_prefix(kind: str, ref: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The one item whose name starts with ``ref`` (any case); active ones before archived."""
    folded = ref.strip().casefold()
    starting = [i for i in items if str(i.get("name", "")).casefold().startswith(folded)]
    active = [i for i in starting if i.get("active", True) is not False]
    found = active or starting
    singular = kind.rstrip("s")
    if len(found) == 1:
        return found[0]
    if found:
        listed = ", ".join(str(i.get("name")) for i in found[:5])
        raise AmbiguousNameError(f"several {kind} start with {ref!r}: {listed}", found)
    names = [str(i.get("name")) for i in items if i.get("name")]
    raise UnknownNameError(f"no {singular} named {ref!r}.{closest(ref, names)}".rstrip("."))


def task_in(tasks: list[Any], ref: str, project: str) -> int:
    """A task of the project by id, name (any case) or unique prefix."""
    for task in tasks:
        if str(task.id) == ref.strip():
            return int(task.id)
    items = [dict(task.raw) for task in tasks]
    exact = [i for i in items if str(i.get("name", "")).casefold() == ref.strip().casefold()]
    found = exact[0] if len(exact) == 1 else None
    if found is None:
        try:
            found = by_prefix("tasks", ref, items)
        except UnknownNameError as exc:
            raise UnknownNameError(f"{exc} in project {project}") from exc
    return int(found["id"])


def complete_project(ctx: click.Context, _param: click.Parameter, typed: str) -> list[Any]:
    """Project names from the cache the last run kept (no request: completion must be quick)."""
    from trackgate.cli.profiles import config_dir

    names: set[str] = set()
    for path in (config_dir() / "cache").glob("*.json"):
        try:
            data = json.loads(path.read_text())
            for item in data["names"]["objects"].get("projects", []):
                if item.get("active", True) is not False and item.get("name"):
                    names.add(str(item["name"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    folded = typed.casefold()
    return [CompletionItem(n) for n in sorted(names) if n.casefold().startswith(folded)]
