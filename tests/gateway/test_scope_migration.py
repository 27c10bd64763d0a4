"""Revisions 0005 and 0006 on a database written before scopes: existing keys and connections
keep full power, and the gateway reads them so."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.teams.test_migration import engine  # noqa: F401 - the SQLite and PostgreSQL engines
from trackgate.crypto import digest
from trackgate.gateway import scopes
from trackgate.gateway.keys import account_for_key
from trackgate.storage.migrate import alembic_config
from trackgate.storage.models import FULL_POWER

NOW = "2024-12-16 01:00:00"
OLD_KEY = "tgk_an-old-key-from-before-scopes"


def _seed_at_0004(engine: Engine) -> None:  # noqa: F811 - named as the fixture
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0004")
        conn.commit()
        conn.execute(text("INSERT INTO accounts VALUES ('acct-1', 'Old team', :now)"), {"now": NOW})
        conn.execute(
            text(
                "INSERT INTO api_keys (id, account_id, key_digest, prefix, name, created_at) "
                "VALUES ('key_old', 'acct-1', :digest, 'tgk_an-o', 'ci', :now)"
            ),
            {"digest": digest(OLD_KEY), "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO connections (id, account_id, app, status, details, created_at, "
                "updated_at) VALUES ('c0000000-0000-0000-0000-000000000001', 'acct-1', "
                "'toggl-track', 'ACTIVE', '{}', :now, :now)"
            ),
            {"now": NOW},
        )
        conn.commit()


def test_existing_keys_and_connections_keep_every_scope(engine: Engine) -> None:  # noqa: F811
    _seed_at_0004(engine)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
        key = conn.execute(text("SELECT scopes, budget FROM api_keys")).one()
        granted = conn.execute(text("SELECT scopes FROM connections")).scalar()
    assert tuple(key) == (FULL_POWER, None)
    assert granted == FULL_POWER
    assert FULL_POWER == scopes.spell(scopes.ALL)
    with Session(engine) as session:
        live = account_for_key(session, OLD_KEY)
    assert live is not None and live.scopes == scopes.ALL and live.budget is None
    with engine.connect() as conn:
        command.downgrade(alembic_config(conn), "0004")
        conn.commit()
        assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar() == 1
