"""Settings, read once from flags and ``TRACKGATE_*`` variables, immutable after.

Every setting is documented in the README; a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from trackgate.netaddr import TrustedProxies, parse_trusted_proxies

TOGGL_API_ROOT = "https://api.track.toggl.com"

#: Environment variables the server reads, with what each one sets.
ENVIRONMENT = {
    "TRACKGATE_DATA_DIR": "data directory (SQLite database)",
    "TRACKGATE_DATABASE_URL": "SQLAlchemy URL of a PostgreSQL database; replaces SQLite",
    "TRACKGATE_SECRET_KEY": "base64 AES-256 key(s), comma-separated, newest first",
    "TRACKGATE_KEY_FILE": "path of the key file used when TRACKGATE_SECRET_KEY is unset",
    "TRACKGATE_PUBLIC_URL": "root URL used to build connect links",
    "TRACKGATE_TOGGL_URL": "upstream root for the toggl-track app (default: embedded service)",
    "TRACKGATE_REDIS_URL": "Redis URL for rate limits shared between replicas",
    "TRACKGATE_RATE_LIMIT": "per-account gateway rate limit (default 10/second)",
    "TRACKGATE_AUTH_FAILURE_LIMIT": "failed authentications per client address (default 20/minute)",
    "TRACKGATE_TRUSTED_PROXIES": "proxies (CIDRs) whose X-Forwarded-For/Forwarded is believed",
    "TRACKGATE_UPSTREAM_PACING": "per-connection upstream pace, e.g. 1/second; 'off' disables",
    "TRACKGATE_UPSTREAM_TIMEOUT": "seconds before an upstream call answers 504 (default 30)",
    "TRACKGATE_EMULATE_QUOTA": "service: Toggl's hourly quota, N or ORG,USER (default off)",
    "TRACKGATE_EMULATE_RATE": "service: Toggl's short-term rate, e.g. 1/second (default off)",
    "TRACKGATE_SHIELD": "gateway: 'off' makes the proxy pure pass-through (default on)",
    "TRACKGATE_SHIELD_MAX_AGE": "gateway: seconds a mirror answer may be old (default 60)",
}


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("trackgate", appauthor=False))


def default_key_file() -> Path:
    return Path(platformdirs.user_config_dir("trackgate", appauthor=False)) / "secret.key"


@dataclass(frozen=True)
class Settings:
    """One immutable bundle of configuration; build it with :func:`load_settings`."""

    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str | None = None
    secret_key: str | None = None
    key_file: Path = field(default_factory=default_key_file)
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    upstream_url: str | None = None
    redis_url: str | None = None
    rate_limit: str = "10/second"
    auth_failure_limit: str = "20/minute"
    trusted_proxies: TrustedProxies = ()
    upstream_pacing: str | None = None
    upstream_timeout: float = 30.0
    service_enabled: bool = True
    gateway_enabled: bool = True
    #: the service's emulation of Toggl's hourly quota: "N" or "ORG,USER"; None is off
    emulate_quota: str | None = None
    #: the service's emulation of Toggl's short-term rate limit, e.g. "1/second"
    emulate_rate: str | None = None
    shield_enabled: bool = True
    shield_max_age: float = 60.0

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'trackgate.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def root_url(self) -> str:
        """Where people reach this server: the public URL, else the listening address."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def pacing(self) -> str | None:
        """The upstream pace in force: set explicitly, or Toggl's safe rate for real Toggl."""
        if self.upstream_pacing is not None:
            return (
                None
                if self.upstream_pacing.lower() in ("off", "none", "")
                else self.upstream_pacing
            )
        if self.upstream_url and "api.track.toggl.com" in self.upstream_url:
            return "1/second"
        return None

    def with_overrides(self, **changes: object) -> Settings:
        given = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given)  # type: ignore[arg-type]


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` spellings and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _seconds(env: Mapping[str, str], name: str) -> float | None:
    if not env.get(name):
        return None
    try:
        value = float(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {env[name]!r}") from None
    if not 0 < value < 3600:
        raise ValueError(f"{name} must be between 0 and 3600 seconds")
    return value


def quota_sizes(value: str) -> tuple[int, int]:
    """``N`` (both buckets) or ``ORG,USER``, as (organization bucket, user bucket)."""
    parts = [part.strip() for part in value.split(",")]
    if len(parts) not in (1, 2) or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise ValueError(f"the emulated quota must be N or ORG,USER (positive), got {value!r}")
    org = int(parts[0])
    return org, int(parts[-1])


def _rate(value: str | None) -> str | None:
    if not value:
        return None
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise ValueError(f"the emulated rate must look like 1/second, got {value!r}") from None
    return value


def _switch(env: Mapping[str, str], name: str) -> bool | None:
    value = env.get(name, "").strip().lower()
    if not value:
        return None
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"{name} must be on or off, got {env[name]!r}")


def _max_age(env: Mapping[str, str], name: str) -> float | None:
    if not env.get(name):
        return None
    try:
        value = float(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {env[name]!r}") from None
    if not 0 <= value <= 86400:
        raise ValueError(f"{name} must be between 0 and 86400 seconds")
    return value


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment, then explicit overrides (flags) on top."""
    env = os.environ if environ is None else environ
    base = Settings()
    from_env: dict[str, object] = {
        "data_dir": Path(env["TRACKGATE_DATA_DIR"]) if env.get("TRACKGATE_DATA_DIR") else None,
        "database_url": env.get("TRACKGATE_DATABASE_URL") or None,
        "secret_key": env.get("TRACKGATE_SECRET_KEY") or None,
        "key_file": Path(env["TRACKGATE_KEY_FILE"]) if env.get("TRACKGATE_KEY_FILE") else None,
        "public_url": env.get("TRACKGATE_PUBLIC_URL") or None,
        "upstream_url": env.get("TRACKGATE_TOGGL_URL") or None,
        "redis_url": env.get("TRACKGATE_REDIS_URL") or None,
        "rate_limit": env.get("TRACKGATE_RATE_LIMIT") or None,
        "auth_failure_limit": env.get("TRACKGATE_AUTH_FAILURE_LIMIT") or None,
        "trusted_proxies": parse_trusted_proxies(env.get("TRACKGATE_TRUSTED_PROXIES")) or None,
        "upstream_pacing": env.get("TRACKGATE_UPSTREAM_PACING"),
        "upstream_timeout": _seconds(env, "TRACKGATE_UPSTREAM_TIMEOUT"),
        "emulate_quota": env.get("TRACKGATE_EMULATE_QUOTA") or None,
        "emulate_rate": env.get("TRACKGATE_EMULATE_RATE") or None,
        "shield_enabled": _switch(env, "TRACKGATE_SHIELD"),
        "shield_max_age": _max_age(env, "TRACKGATE_SHIELD_MAX_AGE"),
    }
    settings = base.with_overrides(**from_env).with_overrides(**overrides)
    if settings.emulate_quota is not None:
        quota_sizes(settings.emulate_quota)
    _rate(settings.emulate_rate)
    if isinstance(settings.data_dir, str):
        settings = replace(settings, data_dir=Path(settings.data_dir))
    return settings
