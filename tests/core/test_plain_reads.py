"""Hot reads past the ORM (storage.plain): the same values the ORM reads, on both databases,
and a read that survives its pooled connection being dropped by the server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import func, select

from trackgate.runtime import Runtime
from trackgate.service import wire
from trackgate.service.entry_views import EntryFilter, list_entries, running_record
from trackgate.service.users import NewUser, create_user, user_by_token
from trackgate.storage.models import Tag, TimeEntry, User
from trackgate.storage.plain import PlainQuery
from trackgate.storage.records import user_record_of

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _user(runtime: Runtime) -> tuple[int, int, str]:
    with runtime.db.write() as session:
        user, token = create_user(
            session, runtime.keyring, NewUser(f"{uuid.uuid4().hex}@example.com", None, "Plain")
        )
        assert user.default_workspace_id is not None
        return user.id, user.default_workspace_id, token


def test_a_user_read_plainly_equals_the_user_the_orm_reads(runtime: Runtime) -> None:
    user_id, _, token = _user(runtime)
    record = user_by_token(runtime.db, token)
    with runtime.db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert record == user_record_of(user)
    assert record is not None and record.created_at.tzinfo is UTC
    assert user_by_token(runtime.db, "0" * 32) is None


def test_entries_read_plainly_render_as_the_orm_entries_do(runtime: Runtime) -> None:
    user_id, workspace_id, token = _user(runtime)
    start = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)
    with runtime.db.write() as session:
        tag = Tag(workspace_id=workspace_id, name="deep work", creator_id=user_id)
        session.add(tag)
        session.flush()
        for i, (tags, running) in enumerate([([tag.id, 999], False), ([], False), ([], True)]):
            begun = start + timedelta(hours=i, microseconds=1500 * i)
            session.add(
                TimeEntry(
                    workspace_id=workspace_id,
                    user_id=user_id,
                    description=f"entry {i} ✓",
                    start=begun,
                    stop=None if running else begun + timedelta(minutes=30),
                    running=running,
                    billable=i == 0,
                    tag_ids=tags,
                    created_with="test",
                    at=begun + timedelta(microseconds=250),
                )
            )
    user = user_by_token(runtime.db, token)
    assert user is not None
    records = list_entries(runtime.db, user_id, EntryFilter(start_date=start))
    with runtime.db.read() as session:
        orm = session.scalars(
            select(TimeEntry)
            .where(TimeEntry.user_id == user_id)
            .order_by(TimeEntry.start.desc(), TimeEntry.id.desc())
        ).all()
        names = {tag.id: tag.name}
        assert [wire.time_entry(e, names) for e in records] == [
            wire.time_entry(e, names) for e in orm
        ]
    assert records[-1].tag_ids == [tag.id, 999]
    running = running_record(runtime.db, user_id)
    assert running is not None and running.id == orm[0].id and running.stop is None
    assert list_entries(runtime.db, user_id, EntryFilter(end_date=start)) == []


def test_a_plain_read_survives_its_connection_being_dropped(runtime: Runtime) -> None:
    if runtime.db.is_sqlite:
        pytest.skip("a PostgreSQL server drops connections")
    backend = PlainQuery(select(func.pg_backend_pid()))
    row = runtime.db.plain_row(backend, {})
    assert row is not None
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
    again = runtime.db.plain_row(backend, {})
    assert again is not None and again[0] != row[0]
