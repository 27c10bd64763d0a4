"""Lists of networks given as comma-separated CIDRs in a setting."""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str | None, name: str) -> tuple[Network, ...]:
    """``10.0.0.0/8, 192.168.1.7``: a bare address is one host. Raises ValueError naming
    the setting for anything else."""
    if not text:
        return ()
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{name} must be comma-separated CIDRs, got {part!r}") from None
    return tuple(networks)
