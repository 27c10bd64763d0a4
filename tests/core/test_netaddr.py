"""The client address behind trusted proxies: the rightmost hop that is not one of them."""

from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from trackgate.config import load_settings
from trackgate.netaddr import client_address, parse_trusted_proxies

PROXIES = parse_trusted_proxies("10.0.0.0/8, 2001:db8::/32 ,192.0.2.1")


def conn(peer: str, *headers: tuple[str, str]) -> HTTPConnection:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers]
    return HTTPConnection({"type": "http", "client": (peer, 1), "headers": raw})


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        ("203.0.113.9", [("X-Forwarded-For", "198.51.100.1")], "203.0.113.9"),
        ("10.1.1.1", [], "10.1.1.1"),
        ("10.1.1.1", [("X-Forwarded-For", "198.51.100.1")], "198.51.100.1"),
        ("10.1.1.1", [("X-Forwarded-For", "6.6.6.6, 198.51.100.1, 10.2.2.2")], "198.51.100.1"),
        (
            "10.1.1.1",
            [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.1")],
            "198.51.100.1",
        ),
        ("10.1.1.1", [("X-Forwarded-For", "198.51.100.1:4711")], "198.51.100.1"),
        ("10.1.1.1", [("X-Forwarded-For", "10.3.3.3, 10.2.2.2")], "10.3.3.3"),
        ("10.1.1.1", [("X-Forwarded-For", "garbage")], "10.1.1.1"),
        ("192.0.2.1", [("Forwarded", 'for="[2001:db8:cafe::17]:4711"')], "2001:db8:cafe::17"),
        ("192.0.2.1", [("Forwarded", 'for="[2001:db9::17]:4711";proto=https')], "2001:db9::17"),
        ("192.0.2.1", [("Forwarded", "for=198.51.100.1, for=unknown")], "192.0.2.1"),
        ("192.0.2.1", [("Forwarded", "For=198.51.100.7:80;by=10.0.0.1")], "198.51.100.7"),
        (
            "10.1.1.1",
            [("X-Forwarded-For", "198.51.100.1"), ("Forwarded", "for=198.51.100.1")],
            "198.51.100.1",
        ),
        (
            "10.1.1.1",
            [("X-Forwarded-For", "198.51.100.1"), ("Forwarded", "for=198.51.100.2")],
            "10.1.1.1",
        ),
    ],
)
def test_client_address(peer: str, headers: list[tuple[str, str]], client: str) -> None:
    assert client_address(conn(peer, *headers), PROXIES) == client


def test_without_trusted_proxies_the_headers_are_ignored() -> None:
    assert client_address(conn("10.1.1.1", ("X-Forwarded-For", "198.51.100.1"))) == "10.1.1.1"


def test_a_malformed_setting_names_itself() -> None:
    with pytest.raises(ValueError, match="TRACKGATE_TRUSTED_PROXIES.*10.0.0.0/33"):
        load_settings({"TRACKGATE_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.0/33"})
    settings = load_settings({"TRACKGATE_TRUSTED_PROXIES": "10.0.0.0/8"})
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8"]
