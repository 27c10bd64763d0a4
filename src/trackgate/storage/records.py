"""Users and time entries as plain immutable records, read past the ORM by the hot reads
(:mod:`trackgate.storage.plain`): the same attribute names as the models, instants aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Text, cast

from trackgate.storage.models import TimeEntry, User
from trackgate.storage.plain import Row, flag, json_list, utc


class UserRecord(NamedTuple):
    id: int
    email: str
    fullname: str
    password_hash: str | None
    api_token_ciphertext: str
    timezone: str
    beginning_of_week: int
    country_id: int | None
    default_workspace_id: int | None
    toggl_accounts_id: str
    created_at: datetime
    updated_at: datetime
    at: datetime
    authorization_updated_at: datetime


USER_COLUMNS: tuple[Any, ...] = tuple(getattr(User, name) for name in UserRecord._fields)


def user_record(row: Row) -> UserRecord:
    values = list(row)
    for i in (10, 11, 12, 13):
        values[i] = utc(values[i])
    return UserRecord(*values)


def user_record_of(user: User) -> UserRecord:
    return UserRecord(*(getattr(user, name) for name in UserRecord._fields))


class EntryRecord(NamedTuple):
    id: int
    workspace_id: int
    user_id: int
    project_id: int | None
    task_id: int | None
    billable: bool
    description: str | None
    start: datetime
    stop: datetime | None
    running: bool
    tag_ids: list[int]
    at: datetime
    server_deleted_at: datetime | None


#: ``tag_ids`` as text: PostgreSQL's driver would decode each row's JSON with ``json.loads``,
#: where :func:`json_list` knows the common ``[]`` at a glance.
ENTRY_COLUMNS: tuple[Any, ...] = tuple(
    cast(TimeEntry.tag_ids, Text) if name == "tag_ids" else getattr(TimeEntry, name)
    for name in EntryRecord._fields
)


def entry_record(row: Row) -> EntryRecord:
    (id_, workspace_id, user_id, project_id, task_id, billable, description,
     start, stop, running, tag_ids, at, deleted) = row  # fmt: skip
    return EntryRecord(
        id_,
        workspace_id,
        user_id,
        project_id,
        task_id,
        flag(billable),
        description,
        utc(start),  # type: ignore[arg-type]  # never null
        utc(stop),
        flag(running),
        json_list(tag_ids),
        utc(at),  # type: ignore[arg-type]  # never null
        utc(deleted),
    )
