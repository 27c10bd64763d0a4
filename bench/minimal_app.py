"""The floor the service is compared with: a FastAPI endpoint with no middleware and no
database, run by the same server software with the same options as ``trackgate serve``."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()


@app.get("/ping")
async def ping() -> JSONResponse:
    return JSONResponse({"id": 1, "email": "x@example.com", "fullname": "Minimal"})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,
    )
