"""The address a request came from, as the failure limits count it.

Behind a reverse proxy every caller arrives from the proxy's address. The forwarding headers
(``X-Forwarded-For``, ``Forwarded``) are believed only when the peer is a trusted proxy, and
then only up to the rightmost hop that is not itself a trusted proxy: everything left of it was
written by the caller and may be forged. If a request carries both headers and they name
different callers, one of them was forged and neither is believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
TrustedProxies = tuple[Network, ...]


def parse_trusted_proxies(text: str | None) -> TrustedProxies:
    """``10.0.0.0/8, 192.168.1.1`` as networks; a ValueError names the entry it cannot read."""
    networks: list[Network] = []
    for part in (text or "").split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRACKGATE_TRUSTED_PROXIES must be comma-separated addresses or CIDRs "
                f"such as 10.0.0.0/8, got {entry!r}"
            ) from None
    return tuple(networks)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: str, proxies: TrustedProxies) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in proxies)


def _forwarded_for(values: Iterable[str]) -> list[str]:
    """The ``for=`` nodes of ``Forwarded`` headers (RFC 7239), ports and brackets removed."""
    hops: list[str] = []
    for value in values:
        for element in value.split(","):
            node = ""
            for pair in element.split(";"):
                name, _, raw = pair.strip().partition("=")
                if name.strip().lower() == "for":
                    node = raw.strip().strip('"')
            hops.append(_without_port(node))
    return hops


def _x_forwarded_for(values: Iterable[str]) -> list[str]:
    return [_without_port(hop.strip()) for value in values for hop in value.split(",")]


def _without_port(node: str) -> str:
    """``[2001:db8::1]:80`` and ``192.0.2.1:80`` as bare addresses."""
    if node.startswith("["):
        return node[1:].partition("]")[0]
    if node.count(":") == 1:
        return node.partition(":")[0]
    return node


def _rightmost_untrusted(peer: str, hops: Sequence[str], proxies: TrustedProxies) -> str:
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop if _ip(hop) is not None else peer
        peer = hop
    return peer


def client_address(conn: HTTPConnection, proxies: TrustedProxies = ()) -> str:
    """The caller's address: the peer, or what trusted proxies say the caller was."""
    peer = conn.client.host if conn.client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    candidates = set()
    xff = conn.headers.getlist("x-forwarded-for")
    if xff:
        candidates.add(_rightmost_untrusted(peer, _x_forwarded_for(xff), proxies))
    forwarded = conn.headers.getlist("forwarded")
    if forwarded:
        candidates.add(_rightmost_untrusted(peer, _forwarded_for(forwarded), proxies))
    return candidates.pop() if len(candidates) == 1 else peer
