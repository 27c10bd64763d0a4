"""How each kind of setting is spelled, and the one error a wrong spelling raises.

A parser takes the raw text of a flag or variable and returns the value to keep, or raises
:class:`ValueError` whose message says what it expects ("a rate such as 10/second").
:func:`read` runs a parser and turns that into a :class:`SettingError` naming the setting, which
the command line prints as one line and exit code 2. A new setting needs only a parser here
(or an existing one) and a line where settings are read (``config.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import ip_address
from typing import TypeVar
from urllib.parse import urlsplit

from limits import parse as parse_limit

from trackgate.crypto import SecretKeyError, parse_keys
from trackgate.netaddr import TrustedProxies, parse_trusted_proxies

T = TypeVar("T")

Parser = Callable[[str], T]


class SettingError(ValueError):
    """A setting that cannot be used: names it, says what it expects, and what it got."""

    def __init__(self, name: str, expects: str, got: str | None = None) -> None:
        self.name = name
        self.expects = expects
        message = f"{name} must be {expects}"
        if got is not None:
            message += f", got {got!r}"
        super().__init__(message)


def read(name: str, raw: str, parse: Parser[T], *, secret: bool = False) -> T:
    """``parse(raw)``, or a :class:`SettingError` naming ``name``; a secret value is not echoed."""
    try:
        return parse(raw)
    except ValueError as exc:
        raise SettingError(name, str(exc), None if secret else raw) from None


def rate(raw: str) -> str:
    """A rate in the ``limits`` spelling: ``10/second``, ``100 per minute``, ``5/2 seconds``."""
    expects = "a rate such as 10/second or 100/minute"
    try:
        parse_limit(raw)
    except (ValueError, TypeError):
        raise ValueError(expects) from None
    return raw.strip()


def pace(raw: str) -> str:
    """A rate, or ``off`` (also ``none``) for no pacing."""
    if raw.strip().lower() in ("off", "none"):
        return "off"
    try:
        return rate(raw)
    except ValueError:
        raise ValueError("a rate such as 1/second, or off") from None


def http_url(raw: str) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host, kept without a trailing slash."""
    expects = "an http:// or https:// URL such as https://api.track.toggl.com"
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(expects) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(expects)
    if parts.query or parts.fragment:
        raise ValueError(expects + " (no query or fragment)")
    return raw.strip().rstrip("/")


def contact(raw: str) -> str:
    """How people reach the operator: an email address, a URL or a short line of text."""
    expects = "an email address, a URL or a line of text of at most 200 characters"
    text = raw.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise ValueError(expects)
    return text


def redis_url(raw: str) -> str:
    """A Redis URL as the ``redis`` client and ``limits`` read it."""
    expects = "a Redis URL such as redis://127.0.0.1:6379/0"
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(expects) from None
    if parts.scheme in ("redis", "rediss") and parts.hostname:
        return raw.strip()
    if parts.scheme == "unix" and parts.path:
        return raw.strip()
    raise ValueError(expects)


def database_url(raw: str) -> str:
    """A PostgreSQL URL (``postgresql://``, ``postgres://`` or with ``+psycopg``), or SQLite."""
    expects = "a database URL such as postgresql://user@host:5432/trackgate"
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme.split("+", 1)[0] not in ("postgres", "postgresql", "sqlite"):
        raise ValueError(expects)
    if scheme.startswith("postgres") and not urlsplit(raw).hostname and "host=" not in raw:
        raise ValueError(expects)
    return raw.strip()


def seconds(raw: str) -> float:
    """A number of seconds, more than 0 and less than an hour."""
    expects = "a number of seconds between 0 and 3600"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(expects) from None
    if not 0 < value < 3600:
        raise ValueError(expects)
    return value


def byte_count(raw: str) -> int:
    """A positive whole number of bytes."""
    text = raw.strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError("a positive number of bytes, such as 1048576")
    return int(text)


def port(raw: str) -> int:
    """A TCP port, 1 to 65535."""
    expects = "a port number from 1 to 65535"
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(expects) from None
    if not 0 < value < 65536:
        raise ValueError(expects)
    return value


def host(raw: str) -> str:
    """An address to listen on: an IP address or a host name."""
    value = raw.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    try:
        return str(ip_address(value))
    except ValueError:
        pass
    labels = value.rstrip(".").split(".")
    if value and all(
        label and len(label) < 64 and label.replace("-", "").isalnum() for label in labels
    ):
        return value
    raise ValueError("an IP address such as 127.0.0.1 or a host name")


def networks(raw: str) -> TrustedProxies:
    """Comma-separated addresses or CIDRs, e.g. ``10.0.0.0/8, 192.168.1.1``."""
    try:
        return parse_trusted_proxies(raw)
    except ValueError:
        wrong = next(p.strip() for p in raw.split(",") if not _parses_as_network(p))
        raise ValueError(
            f"comma-separated addresses or CIDRs such as 10.0.0.0/8 ({wrong!r} is neither)"
        ) from None


def _parses_as_network(part: str) -> bool:
    try:
        parse_trusted_proxies(part)
    except ValueError:
        return False
    return True


def secret_keys(raw: str) -> str:
    """Base64 AES-256 keys, comma-separated, newest first; kept as written."""
    try:
        if not parse_keys(raw):
            raise SecretKeyError("no key")
    except SecretKeyError:
        raise ValueError(
            "base64 of a 32-byte key (several comma-separated, newest first), "
            "such as one printed by `trackgate secrets generate`"
        ) from None
    return raw.strip()


def quota_sizes(raw: str) -> tuple[int, int]:
    """``N`` (both buckets) or ``ORG,USER``, as (organization bucket, user bucket)."""
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) not in (1, 2) or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise ValueError("N or ORG,USER requests per hour (positive), such as 30 or 240,30")
    return int(parts[0]), int(parts[-1])


def quota(raw: str) -> str:
    """An emulated hourly quota: ``N`` or ``ORG,USER``."""
    quota_sizes(raw)
    return raw.strip()


def switch(raw: str) -> bool:
    """``on`` or ``off`` (also true/false, yes/no, 1/0)."""
    value = raw.strip().lower()
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ValueError("on or off")


def webhook_plan(raw: str) -> str:
    """Toggl's plan whose webhook limits the service emulates: ``free``, ``starter``,
    ``premium``, or ``unlimited`` (no limit, the default)."""
    value = raw.strip().lower()
    if value not in ("free", "starter", "premium", "unlimited"):
        raise ValueError("free, starter, premium or unlimited")
    return value


def signup(raw: str) -> str:
    """Who may sign up to the web console: ``closed``, ``invite`` or ``open``."""
    value = raw.strip().lower()
    if value not in ("closed", "invite", "open"):
        raise ValueError("closed, invite or open")
    return value


def max_age(raw: str) -> float:
    """A freshness limit: seconds from 0 to a day."""
    expects = "a number of seconds from 0 to 86400"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(expects) from None
    if not 0 <= value <= 86400:
        raise ValueError(expects)
    return value


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def duration(raw: str) -> float:
    """A period such as ``1h``, ``30m``, ``90s`` or ``1d`` (at least a second, at most 30
    days), in seconds; ``off`` is 0."""
    text = raw.strip().lower()
    if text in ("off", "none"):
        return 0.0
    expects = "a duration such as 1h, 30m or 90s, or off"
    found = _DURATION.fullmatch(text)
    if found is None:
        raise ValueError(expects)
    value = float(found.group(1)) * _UNIT_SECONDS[found.group(2)]
    if not 1 <= value <= 30 * 86400:
        raise ValueError(expects)
    return value
