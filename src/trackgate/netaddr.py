"""The address a request came from, as the failure limits count it."""

from __future__ import annotations

from starlette.requests import HTTPConnection


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"
