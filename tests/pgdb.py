"""Create and drop the throwaway PostgreSQL database of a `make test-pg` run.

Usage: python -m tests.pgdb create|drop|url ADMIN_URL NAME
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
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
