"""Which callback URLs the service posts to: http(s) to public addresses only.

A subscription must not make the server a way into its own network, so a callback whose
host is (or resolves to) a loopback, link-local, private, reserved or multicast address is
refused, when the subscription is saved and again before each delivery (a name may be made
to resolve elsewhere later). ``TRACKGATE_WEBHOOK_ALLOW_PRIVATE=on`` lifts this for tests and
for a service whose subscribers live on its own network."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from trackgate.service.errors import BadRequest

MAX_URL_LENGTH = 2048


class RefusedTarget(ValueError):
    """The URL is malformed or points where the service does not post."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_of(url: str) -> tuple[str, int]:
    """Host and port of a well-formed http(s) URL; RefusedTarget otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedTarget(f"url_callback: longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedTarget("url_callback: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("url_callback: must be an http or https URL with a host")
    if parts.username or parts.password:
        raise RefusedTarget("url_callback: must not carry credentials")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _check_addresses(host: str, addresses: list[str]) -> None:
    if not addresses:
        raise RefusedTarget(f"url_callback: host {host[:80]} cannot be resolved")
    if not all(_public(a) for a in addresses):
        raise RefusedTarget(
            "url_callback: must not point to a loopback, link-local or private address"
        )


def _resolved(info: list[tuple[object, ...]]) -> list[str]:
    return [str(entry[4][0]) for entry in info if isinstance(entry[4], tuple)]


def check(url: str, *, allow_private: bool) -> str:
    """The URL, when the service may post to it; a 400 in the API's spelling otherwise."""
    try:
        host, port = host_of(url)
        if not allow_private:
            try:
                info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError):
                info = []
            _check_addresses(host, _resolved(list(info)))
    except RefusedTarget as exc:
        raise BadRequest(str(exc)) from None
    return url


async def check_before_delivery(url: str, *, allow_private: bool) -> None:
    """RefusedTarget when the URL now resolves somewhere the service does not post."""
    host, port = host_of(url)
    if allow_private:
        return
    try:
        info = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        info = []
    _check_addresses(host, _resolved(list(info)))
