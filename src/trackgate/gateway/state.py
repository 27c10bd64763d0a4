"""What the gateway keeps for the life of the process, on ``app.state.gateway``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from trackgate.gateway.auth import REVOCATION_SECONDS, KeyVerifier
from trackgate.gateway.upstream import Upstream
from trackgate.runtime import Runtime
from trackgate.ttlcache import TtlCache

if TYPE_CHECKING:
    from trackgate.gateway.proxy import ProxyEndpoint
    from trackgate.metrics import Metrics

#: How long a decrypted credential is reused; a deleted connection stops working in every
#: replica within this time (at once in the process that deleted it, which pops the entry).
CREDENTIAL_CACHE_SECONDS = REVOCATION_SECONDS


@dataclass
class GatewayState:
    runtime: Runtime
    keys: KeyVerifier
    upstream: Upstream | None = None
    #: connection id -> decrypted upstream API token
    credentials: TtlCache[str, str] = field(
        default_factory=lambda: TtlCache(CREDENTIAL_CACHE_SECONDS)
    )
    #: the proxy, once installed (its upstream client is closed with the app)
    proxy: ProxyEndpoint | None = None
    #: the server's metrics, where the gateway counts what its limits and shield do
    metrics: Metrics | None = None

    @property
    def live_upstream(self) -> Upstream:
        if self.upstream is None:
            raise RuntimeError("the gateway's upstream is opened in the app lifespan")
        return self.upstream


def gateway_state(conn: HTTPConnection) -> GatewayState:
    state: GatewayState = conn.app.state.gateway
    return state
