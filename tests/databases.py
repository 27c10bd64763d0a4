"""Databases for tests, migrated once and copied per test.

Running every migration for every test costs more than most tests: a migrated SQLite file is
made once per run (per xdist worker) and copied into each test's data dir, and a PostgreSQL
database of a test's own is made with ``CREATE DATABASE ... TEMPLATE`` from a migrated one.
The copies hold no key fingerprint, so each test's runtime records its own key.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from trackgate.config import load_settings
from trackgate.runtime import open_database

SQLITE_FILE = "trackgate.db"
TEST_DATABASE_URL = os.environ.get("TRACKGATE_TEST_DATABASE_URL")


def seed_sqlite(template: Path, data_dir: Path) -> None:
    """Put a migrated, empty database into ``data_dir`` (start-up then finds nothing to do).

    ``data_dir`` is made private (0700), as trackgate makes its own: commands warn on stderr
    about a data directory other users can open, which tests of their exact output do not
    expect (tests of that warning make an open directory of their own)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    target = data_dir / SQLITE_FILE
    if not target.exists():
        shutil.copyfile(template, target)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    db = open_database(load_settings({}, data_dir=data_dir, key_file=data_dir / "unused.key"))
    db.dispose()  # the last connection closed: the WAL is folded into the file
    return data_dir / SQLITE_FILE


@pytest.fixture
def seeded_data_dir(tmp_path: Path, sqlite_template: Path) -> Path:
    """``tmp_path / "data"``, holding a migrated SQLite database unless the run is on PostgreSQL."""
    data_dir = tmp_path / "data"
    if not TEST_DATABASE_URL:
        seed_sqlite(sqlite_template, data_dir)
    return data_dir


# --- PostgreSQL databases of a test's own -----------------------------------------------------


def _server_url(database_url: str, name: str) -> str:
    """``database_url`` (SQLAlchemy spelling) pointing at database ``name``, for psycopg."""
    base = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    return base.rsplit("/", 1)[0] + "/" + name


def _admin(database_url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(_server_url(database_url, "postgres"), autocommit=True)


@dataclass
class PgTemplates:
    """A migrated template on the server of ``database_url``; copies are dropped at the end."""

    database_url: str
    template: str
    made: list[str]

    def copy(self) -> str:
        name = "trackgate_t_" + uuid.uuid4().hex[:16]
        with _admin(self.database_url) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.append(name)
        return _server_url(self.database_url, name).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with _admin(self.database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.remove(name)


def make_pg_templates(database_url: str) -> Iterator[PgTemplates]:
    template = "trackgate_tpl_" + uuid.uuid4().hex[:16]
    with _admin(database_url) as conn:
        conn.execute(f'CREATE DATABASE "{template}"')
    templates = PgTemplates(database_url, template, [])
    try:
        url = _server_url(database_url, template).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        db = open_database(load_settings({}, database_url=url))
        db.dispose()  # CREATE DATABASE ... TEMPLATE needs the template without connections
        yield templates
    finally:
        with _admin(database_url) as conn:
            for name in [*templates.made, template]:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PgTemplates | None]:
    if not TEST_DATABASE_URL:
        yield None
        return
    yield from make_pg_templates(TEST_DATABASE_URL)


@dataclass
class OwnDatabase:
    """A database no other test shares: a copied SQLite file in ``data_dir``, or (in the
    PostgreSQL pass) a copied PostgreSQL database at ``url``. For tests that change what the
    whole database depends on, such as its key."""

    data_dir: Path
    url: str | None

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    def env(self) -> dict[str, str]:
        """The variables a `trackgate` process needs to open this database."""
        env = {"TRACKGATE_DATA_DIR": str(self.data_dir)}
        if self.url:
            env["TRACKGATE_DATABASE_URL"] = self.url
        return env


@pytest.fixture
def own_database(
    tmp_path: Path, sqlite_template: Path, pg_templates: PgTemplates | None
) -> Iterator[OwnDatabase]:
    data_dir = tmp_path / "own-data"
    if pg_templates is None:
        seed_sqlite(sqlite_template, data_dir)
        yield OwnDatabase(data_dir, None)
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    url = pg_templates.copy()
    try:
        yield OwnDatabase(data_dir, url)
    finally:
        pg_templates.drop(url)


@pytest.fixture
def own_sqlite_database(tmp_path: Path, sqlite_template: Path) -> OwnDatabase:
    """An SQLite copy of its own even in the PostgreSQL pass, for what only a single-machine
    database has: a key file (PostgreSQL needs TRACKGATE_SECRET_KEY, by design)."""
    data_dir = tmp_path / "own-sqlite-data"
    seed_sqlite(sqlite_template, data_dir)
    return OwnDatabase(data_dir, None)
