"""(to be built): the proxy ``/{app}/{native-path}``."""

from __future__ import annotations

from fastapi import FastAPI


def install_proxy(app: FastAPI) -> None:
    """Add the catch-all proxy route; it must be the last route."""
