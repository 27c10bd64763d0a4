"""Assembles the gateway's routes onto the server application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from trackgate.runtime import Runtime


def install_gateway(app: FastAPI, runtime: Runtime, embedded_upstream: ASGIApp | None) -> None:
    """Add the control API, the connect page and the proxy (which must come last)."""


@asynccontextmanager
async def gateway_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open and close the gateway's long-lived resources (the upstream client)."""
    yield
