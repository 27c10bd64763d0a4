"""Revision 0002 on a database written at 0001: existing teams keep what they saw."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text

from trackgate.storage.migrate import alembic_config

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = "2024-12-16 01:00:00"


def _pg_available() -> bool:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield made
        made.dispose()
        return
    if not _pg_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    name = f"trackgate_0002_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    made = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        yield made
    finally:
        made.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed_at_0001(engine: Engine) -> None:
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.commit()
        stamps = {"now": NOW}
        conn.execute(text("INSERT INTO organizations VALUES (1, 'Org', :now, :now)"), stamps)
        for uid in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO users (id, email, fullname, api_token_digest, "
                    "api_token_ciphertext, timezone, beginning_of_week, toggl_accounts_id, "
                    "updated_at, authorization_updated_at, created_at, at) VALUES (:id, :email, "
                    "'U', :digest, '', 'UTC', 1, 'x', :now, :now, :now, :now)"
                ),
                {"id": uid, "email": f"u{uid}@example.com", "digest": f"d{uid}", **stamps},
            )
        conn.execute(
            text(
                "INSERT INTO workspaces (id, organization_id, name, default_currency, rounding, "
                "rounding_minutes, projects_billable_by_default, projects_private_by_default, "
                "projects_enforce_billable, only_admins_may_create_projects, "
                "only_admins_may_create_tags, only_admins_see_billable_rates, "
                "only_admins_see_team_dashboard, reports_collapse, limit_public_project_data, "
                "created_at, at) VALUES (10, 1, 'W', 'USD', 1, 0, true, true, false, false, "
                "false, false, false, true, false, :now, :now)"
            ),
            stamps,
        )
        for uid, admin in ((1, True), (2, False)):
            conn.execute(
                text("INSERT INTO workspace_members VALUES (10, :u, :a, :r, true, :now, :now)"),
                {"u": uid, "a": admin, "r": "admin" if admin else "member", **stamps},
            )
        conn.execute(
            text(
                "INSERT INTO projects (id, workspace_id, name, is_private, active, color, "
                "billable, template, auto_estimates, recurring, is_shared, creator_id, "
                "created_at, at) VALUES (100, 10, 'P', true, true, '#000000', false, false, "
                "false, false, false, 2, :now, :now)"
            ),
            stamps,
        )
        conn.commit()


def test_upgrade_keeps_teams_and_project_visibility(engine: Engine) -> None:
    _seed_at_0001(engine)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
        members = conn.execute(
            text(
                "SELECT user_id, admin, owner FROM organization_members "
                "WHERE organization_id = 1 ORDER BY user_id"
            )
        ).all()
        assert [tuple(m) for m in members] == [(1, True, True), (2, False, False)]
        project_users = conn.execute(
            text("SELECT project_id, user_id, manager FROM project_users")
        ).all()
        assert [tuple(p) for p in project_users] == [(100, 2, True)]
        rate = conn.execute(text("SELECT rate FROM workspace_members WHERE user_id = 2")).scalar()
        assert rate is None
        command.downgrade(alembic_config(conn), "0001")
        conn.commit()
        tables = conn.execute(text("SELECT count(*) FROM workspace_members")).scalar()
        assert tables == 2
