"""``trackgate serve --demo``: a demo user, gateway account, key and ACTIVE connection."""

from __future__ import annotations

from trackgate.runtime import Runtime


def run_demo(runtime: Runtime) -> None:
    """Make (once) or reuse the demo objects and print ``export MATON_API_KEY=...``."""
    raise NotImplementedError("demo mode is not built yet")
