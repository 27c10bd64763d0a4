"""Create and drop the throwaway PostgreSQL database of a `make test-pg` run.

Usage: python -m tests.pgdb create|drop|url ADMIN_URL NAME

With several test processes (pytest-xdist), each works on a database of its own named
``NAME_<worker>`` (see ``worker_database``): tests in one process run one at a time, as on a
single shared database, and processes never see each other's rows. ``drop`` drops those too.
"""

from __future__ import annotations

import sys

import psycopg


def main(action: str, admin_url: str, name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"bad database name {name!r}")
    base = admin_url.rsplit("/", 1)[0]
    if action == "url":
        print(f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}")
        return
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop":
            workers = conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                (name + "_gw",),
            ).fetchall()
            for (database,) in [(name,), *workers]:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown action {action}")


def worker_database(database_url: str, worker: str) -> str:
    """``database_url`` (SQLAlchemy spelling) for test process ``worker``: the same server,
    database ``<name>_<worker>``, made empty here if it is not there (start-up migrates it)."""
    base, name = database_url.rsplit("/", 1)
    own = f"{name}_{worker}"
    if not own.replace("_", "").isalnum():
        raise SystemExit(f"bad database name {own!r}")
    admin = base.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{own}"')
    return f"{base}/{own}"


if __name__ == "__main__":
    main(*sys.argv[1:4])
