"""The summary report: time per group (projects, clients or users), each split into sub-groups
(entries by description, tasks, projects, clients, users or tags), with billable time per rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trackgate.reports import dialect
from trackgate.reports.source import ReportSource
from trackgate.reports.totals import RateTotal
from trackgate.service.errors import BadRequest

Grouping = Literal["projects", "clients", "users"]
SubGrouping = Literal["time_entries", "tasks", "projects", "clients", "users", "tags"]

DEFAULT_SUB_GROUPING: dict[str, SubGrouping] = {
    "projects": "time_entries",
    "clients": "projects",
    "users": "projects",
}
_COLUMN = {
    "projects": "project_id",
    "clients": "client_id",
    "users": "user_id",
    "tasks": "task_id",
    "time_entries": "description",
    "tags": "tag_id",
}


@dataclass
class SubGroup:
    id: int | None
    #: the entries' description, for ``time_entries`` sub-groups (their id is null)
    title: str | None
    seconds: int = 0
    rates: list[RateTotal] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


@dataclass
class Group:
    id: int | None
    sub_groups: list[SubGroup] = field(default_factory=list)

    @property
    def seconds(self) -> int:
        return sum(s.seconds for s in self.sub_groups)


@dataclass(frozen=True)
class Summary:
    grouping: Grouping
    sub_grouping: SubGrouping
    groups: list[Group]


def choose_groupings(
    grouping: Grouping | None, sub_grouping: SubGrouping | None
) -> tuple[Grouping, SubGrouping]:
    group: Grouping = grouping or "projects"
    sub: SubGrouping = sub_grouping or DEFAULT_SUB_GROUPING[group]
    if sub == group:
        raise BadRequest("sub_grouping must differ from grouping")
    return group, sub


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def summary_report(
    session: Session,
    source: ReportSource,
    grouping: Grouping,
    sub_grouping: SubGrouping,
    *,
    with_ids: bool = False,
) -> Summary:
    r = source.rows(per_tag=sub_grouping == "tags")
    group_key = r.c[_COLUMN[grouping]]
    sub_key = r.c[_COLUMN[sub_grouping]]
    columns: list[Any] = [
        group_key,
        sub_key,
        r.c.currency,
        r.c.rate_cents,
        func.sum(r.c.seconds),
        func.sum(r.c.billable_seconds),
        func.sum(r.c.amount_cents),
    ]
    if with_ids:
        columns.append(dialect.joined_ids(r.c.id, source.sqlite))
    query = select(*columns).group_by(group_key, sub_key, r.c.currency, r.c.rate_cents)
    groups: dict[Any, Group] = {}
    subs: dict[tuple[Any, Any], SubGroup] = {}
    for row in session.execute(query):
        gid, sid, currency, rate, seconds, billable, amount = row[:7]
        group = groups.get(gid)
        if group is None:
            group = groups[gid] = Group(gid)
        sub = subs.get((gid, sid))
        if sub is None:
            if sub_grouping == "time_entries":
                sub = SubGroup(None, sid)
            else:
                sub = SubGroup(int(sid) if sid is not None else None, None)
            subs[(gid, sid)] = sub
            group.sub_groups.append(sub)
        sub.seconds += int(seconds or 0)
        if billable:
            rate_cents = int(rate) if rate is not None else None
            sub.rates.append(RateTotal(currency, rate_cents, int(billable), int(amount or 0)))
        if with_ids and row[7]:
            sub.ids.extend(int(i) for i in str(row[7]).split(","))
    ordered = sorted(groups.values(), key=lambda g: _none_last(g.id))
    for group in ordered:
        if sub_grouping == "time_entries":
            group.sub_groups.sort(key=lambda s: s.title or "")
        else:
            group.sub_groups.sort(key=lambda s: _none_last(s.id))
        for sub in group.sub_groups:
            sub.ids.sort()
    return Summary(grouping, sub_grouping, ordered)


def reorder(
    report: Summary, by: str, descending: bool, title: Callable[[str, Any, Any], str]
) -> None:
    """Order groups and their sub-groups by ``duration`` or by ``title`` (``title(kind, id,
    sub-group title)`` names them), as a summary's ``order_by`` / ``order_dir`` ask."""

    def group_key(group: Group) -> Any:
        if by == "duration":
            return group.seconds
        return title(report.grouping, group.id, None).lower()

    def sub_key(sub: SubGroup) -> Any:
        if by == "duration":
            return sub.seconds
        return title(report.sub_grouping, sub.id, sub.title).lower()

    report.groups.sort(key=group_key, reverse=descending)
    for group in report.groups:
        group.sub_groups.sort(key=sub_key, reverse=descending)
