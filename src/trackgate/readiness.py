"""``/readyz``: whether this process can serve now, i.e. reach its database and, when one is
configured, Redis. Unlike ``/healthz`` (the process is up), a load balancer may take a replica
out of rotation on a 503 here."""

from __future__ import annotations

import logging

from sqlalchemy import text

from trackgate.runtime import Runtime

log = logging.getLogger("trackgate.readiness")

TIMEOUT_SECONDS = 2.0


def _database(runtime: Runtime) -> str:
    try:
        with runtime.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("readiness: database unavailable (%s)", type(exc).__name__)
        return "unavailable"
    return "ok"


def _redis(runtime: Runtime) -> str:
    url = runtime.settings.redis_url
    if not url:
        return "off"
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("readiness: Redis unavailable (%s)", type(exc).__name__)
        return "unavailable"
    return "ok"


def readiness(runtime: Runtime) -> tuple[bool, dict[str, str]]:
    """(ready, what each dependency answered). Blocking: call it off the event loop."""
    checks = {"database": _database(runtime), "redis": _redis(runtime)}
    return all(v in ("ok", "off") for v in checks.values()), checks
