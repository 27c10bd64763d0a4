"""What the gateway keeps for the life of the process, on ``app.state.gateway``."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from trackgate.gateway.auth import KeyVerifier
from trackgate.gateway.upstream import Upstream
from trackgate.runtime import Runtime


@dataclass
class GatewayState:
    runtime: Runtime
    keys: KeyVerifier
    upstream: Upstream | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def live_upstream(self) -> Upstream:
        if self.upstream is None:
            raise RuntimeError("the gateway's upstream is opened in the app lifespan")
        return self.upstream


def gateway_state(conn: HTTPConnection) -> GatewayState:
    state: GatewayState = conn.app.state.gateway
    return state
