"""The floor the gateway is compared with: a minimal ASGI app that forwards each GET to the
upstream with the same HTTP client the gateway uses (aiohttp) and adds one header; no
framework, no auth, no limits. ``BENCH_UPSTREAM`` is the upstream root.

Run it with ``python bench/bare_proxy.py PORT [uvicorn|granian]``."""

from __future__ import annotations

import os
import sys
from typing import Any

import aiohttp

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:9")
_session: aiohttp.ClientSession | None = None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _session
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if _session is None:
        _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    url = UPSTREAM + scope["path"]
    async with _session.get(url, headers={"authorization": "Basic eDp5"}) as answer:
        body = await answer.read()
        headers = [(b"content-type", b"application/json"), (b"x-proxied", b"1")]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    port = int(sys.argv[1])
    server = sys.argv[2] if len(sys.argv) > 2 else "uvicorn"
    if server == "granian":
        from granian import Granian  # type: ignore[import-not-found]

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        Granian(
            "bare_proxy:app", address="127.0.0.1", port=port, interface="asgi", workers=1,
            loop="uvloop", log_enabled=False,
        ).serve()  # fmt: skip
    else:
        import uvicorn

        uvicorn.run(
            app, host="127.0.0.1", port=port, access_log=False, log_config=None,
            server_header=False, proxy_headers=False,
        )  # fmt: skip
