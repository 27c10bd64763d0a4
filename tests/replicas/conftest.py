"""Two real `trackgate serve` processes sharing one PostgreSQL database and one Redis, as
replicas behind a load balancer would.

The database is a throwaway of the module's own: on the server of
``TRACKGATE_TEST_DATABASE_URL`` in the PostgreSQL pass, else on the local server (as
``make test-pg`` finds it). PostgreSQL and Redis are always there in CI, so nothing here is
skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from trackgate.config import load_settings
from trackgate.crypto import encode_key, generate_key
from trackgate.runtime import Runtime, build_runtime

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
#: A Redis database of these tests' own (pub/sub channels are named after it too).
REDIS_URL = "redis://127.0.0.1:6379/12"
#: The per-account limit of the pair; the rate test drives three times as many calls.
RATE_PER_SECOND = 20
#: The per-connection pace of the pair (burst 2, 10 more may wait for their turn).
PACE_PER_SECOND = 2


def _server_of(url: str) -> str:
    """The psycopg URL of the ``postgres`` database on the server ``url`` names."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return plain.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(scope="module")
def replica_database_url() -> Iterator[str]:
    test_url = os.environ.get("TRACKGATE_TEST_DATABASE_URL")
    admin = _server_of(test_url) if test_url else ADMIN_URL
    name = "trackgate_replicas_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + (
            "/" + name
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Pair:
    """Two replicas, and a runtime on the same database and Redis in the test process (for
    what a command or another replica would do)."""

    first: LiveServer
    second: LiveServer
    runtime: Runtime

    @property
    def both(self) -> tuple[LiveServer, LiveServer]:
        return self.first, self.second


def replica_env(database_url: str, secret_key: str) -> dict[str, str]:
    return {
        "TRACKGATE_DATABASE_URL": database_url,
        "TRACKGATE_SECRET_KEY": secret_key,
        "TRACKGATE_REDIS_URL": REDIS_URL,
        "TRACKGATE_RATE_LIMIT": f"{RATE_PER_SECOND}/second",
        "TRACKGATE_UPSTREAM_PACING": f"{PACE_PER_SECOND}/second",
        "TRACKGATE_AUTH_FAILURE_LIMIT": "10000/minute",
    }


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, replica_database_url: str) -> Iterator[Pair]:
    env = replica_env(replica_database_url, encode_key(generate_key()))
    first = start_live_server(tmp_path_factory.mktemp("first"), env=env)
    try:
        second = start_live_server(tmp_path_factory.mktemp("second"), env=env)
    except BaseException:
        stop_live_server(first)
        raise
    runtime = build_runtime(load_settings(env, data_dir=Path(first.data_dir)))
    try:
        yield Pair(first, second, runtime)
    finally:
        runtime.close()
        stop_live_server(second)
        stop_live_server(first)
