"""Settings, read once from flags and ``TRACKGATE_*`` variables, immutable after.

The documentation's configuration page is written from ``READERS`` and ``ENVIRONMENT`` when
the site is built (``docs/settings_hook.py``), so every setting here is on it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from trackgate import setting_values as values
from trackgate.netaddr import TrustedProxies
from trackgate.setting_values import Parser

TOGGL_API_ROOT = "https://api.track.toggl.com"

#: Environment variables the server reads, with what each one sets.
ENVIRONMENT = {
    "TRACKGATE_DATA_DIR": "data directory (SQLite database)",
    "TRACKGATE_DATABASE_URL": "SQLAlchemy URL of a PostgreSQL database; replaces SQLite",
    "TRACKGATE_SECRET_KEY": "base64 AES-256 key(s), comma-separated, newest first",
    "TRACKGATE_KEY_FILE": "path of the key file used when TRACKGATE_SECRET_KEY is unset",
    "TRACKGATE_PUBLIC_URL": (
        "root URL used to build connect links; the upstream posts the shield's webhooks there"
    ),
    "TRACKGATE_OPERATOR_CONTACT": "how people reach this server's operator, on the connect page",
    "TRACKGATE_TOGGL_URL": "upstream root for the toggl-track app (default: embedded service)",
    "TRACKGATE_REDIS_URL": "Redis URL for rate limits shared between replicas",
    "TRACKGATE_RATE_LIMIT": "per-account gateway rate limit (default 10/second)",
    "TRACKGATE_AUTH_FAILURE_LIMIT": "failed authentications per client address (default 20/minute)",
    "TRACKGATE_TRUSTED_PROXIES": "proxies (CIDRs) whose X-Forwarded-For/Forwarded is believed",
    "TRACKGATE_UPSTREAM_PACING": "per-connection upstream pace, e.g. 1/second; 'off' disables",
    "TRACKGATE_UPSTREAM_TIMEOUT": "seconds before an upstream call answers 504 (default 30)",
    "TRACKGATE_EMULATE_QUOTA": "service: Toggl's hourly quota, N or ORG,USER (default off)",
    "TRACKGATE_EMULATE_RATE": "service: Toggl's short-term rate, e.g. 1/second (default off)",
    "TRACKGATE_EMULATE_WEBHOOK_LIMITS": "service: webhook limits of Toggl's free, starter or "
    "premium plan (default unlimited)",
    "TRACKGATE_WEBHOOK_ALLOW_PRIVATE": "service: 'on' lets webhook callbacks reach loopback and "
    "private addresses (default off)",
    "TRACKGATE_SHIELD": "gateway: 'off' makes the proxy pure pass-through (default on)",
    "TRACKGATE_SHIELD_MAX_AGE": "gateway: seconds a mirror answer may be old (default 60)",
    "TRACKGATE_SHIELD_MEMORY": "gateway: bytes of mirrors each process keeps in memory (64 MiB)",
    "TRACKGATE_MAX_BODY": "largest request body in bytes, on every path (default 1048576)",
    "TRACKGATE_METRICS_ALLOW": "CIDRs besides loopback that may read /metrics",
    "TRACKGATE_METRICS_QUOTA": "'on' adds each connection's quota per bucket to /metrics",
    "TRACKGATE_SIGNUP": "console sign-up: closed, invite (default) or open",
    "TRACKGATE_CONNECTION_CHECK": "gateway: check idle connections' tokens this often, e.g. 1h",
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
    #: shown on the connect page: how the people connecting reach this server's operator
    operator_contact: str | None = None
    upstream_url: str | None = None
    redis_url: str | None = None
    rate_limit: str = "10/second"
    auth_failure_limit: str = "20/minute"
    trusted_proxies: TrustedProxies = ()
    upstream_pacing: str | None = None
    upstream_timeout: float = 30.0
    max_body: int = 1024 * 1024
    metrics_allow: TrustedProxies = ()
    #: /metrics shows each connection's quota left per bucket (a series per bucket)
    metrics_quota: bool = False
    service_enabled: bool = True
    gateway_enabled: bool = True
    #: the service's emulation of Toggl's hourly quota: "N" or "ORG,USER"; None is off
    emulate_quota: str | None = None
    #: the service's emulation of Toggl's short-term rate limit, e.g. "1/second"
    emulate_rate: str | None = None
    #: the service's emulation of Toggl's webhook plan limits: free, starter, premium; None is
    #: unlimited
    webhook_limits: str | None = None
    #: webhook callbacks may point to loopback, link-local and private addresses
    webhook_allow_private: bool = False
    shield_enabled: bool = True
    shield_max_age: float = 60.0
    #: who may sign up to the web console: "closed", "invite" (with a link) or "open"
    signup: str = "invite"
    #: seconds between health checks of each idle ACTIVE connection's credential; 0 is off
    connection_check: float = 0.0
    shield_memory: int = 64 * 1024 * 1024

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


#: How each variable is read: the field it sets and the parser of its text. A variable that
#: is unset or empty leaves the default. Secret values are never echoed in an error.
READERS: dict[str, tuple[str, Parser[object]]] = {
    "TRACKGATE_DATA_DIR": ("data_dir", Path),
    "TRACKGATE_DATABASE_URL": ("database_url", values.database_url),
    "TRACKGATE_SECRET_KEY": ("secret_key", values.secret_keys),
    "TRACKGATE_KEY_FILE": ("key_file", Path),
    "TRACKGATE_PUBLIC_URL": ("public_url", values.http_url),
    "TRACKGATE_OPERATOR_CONTACT": ("operator_contact", values.contact),
    "TRACKGATE_TOGGL_URL": ("upstream_url", values.http_url),
    "TRACKGATE_REDIS_URL": ("redis_url", values.redis_url),
    "TRACKGATE_RATE_LIMIT": ("rate_limit", values.rate),
    "TRACKGATE_AUTH_FAILURE_LIMIT": ("auth_failure_limit", values.rate),
    "TRACKGATE_TRUSTED_PROXIES": ("trusted_proxies", values.networks),
    "TRACKGATE_UPSTREAM_PACING": ("upstream_pacing", values.pace),
    "TRACKGATE_UPSTREAM_TIMEOUT": ("upstream_timeout", values.seconds),
    "TRACKGATE_EMULATE_QUOTA": ("emulate_quota", values.quota),
    "TRACKGATE_EMULATE_RATE": ("emulate_rate", values.rate),
    "TRACKGATE_EMULATE_WEBHOOK_LIMITS": ("webhook_limits", values.webhook_plan),
    "TRACKGATE_WEBHOOK_ALLOW_PRIVATE": ("webhook_allow_private", values.switch),
    "TRACKGATE_SHIELD": ("shield_enabled", values.switch),
    "TRACKGATE_SHIELD_MAX_AGE": ("shield_max_age", values.max_age),
    "TRACKGATE_SHIELD_MEMORY": ("shield_memory", values.byte_count),
    "TRACKGATE_MAX_BODY": ("max_body", values.byte_count),
    "TRACKGATE_METRICS_ALLOW": ("metrics_allow", values.networks),
    "TRACKGATE_METRICS_QUOTA": ("metrics_quota", values.switch),
    "TRACKGATE_SIGNUP": ("signup", values.signup),
    "TRACKGATE_CONNECTION_CHECK": ("connection_check", values.duration),
}
SECRET_VARIABLES = frozenset(
    {"TRACKGATE_DATABASE_URL", "TRACKGATE_SECRET_KEY", "TRACKGATE_REDIS_URL"}
)

#: The flag that sets a field, to name it in errors; and the parser of a flag given as text.
FLAGS = {
    "host": "--host",
    "port": "--port",
    "data_dir": "--data-dir",
    "upstream_url": "--upstream",
    "public_url": "--public-url",
    "emulate_quota": "--emulate-quota",
    "emulate_rate": "--emulate-rate",
    "webhook_limits": "--emulate-webhook-limits",
}
FLAG_PARSERS: dict[str, Parser[object]] = {
    "host": values.host,
    "port": values.port,
    "upstream_url": values.http_url,
    "public_url": values.http_url,
    "rate_limit": values.rate,
    "auth_failure_limit": values.rate,
    "redis_url": values.redis_url,
    "emulate_quota": values.quota,
    "emulate_rate": values.rate,
    "webhook_limits": values.webhook_plan,
}


def variable_for(field_name: str) -> str | None:
    """The environment variable that sets a field, if any (for help screens)."""
    return next((name for name, (f, _) in READERS.items() if f == field_name), None)


def _from_environment(env: Mapping[str, str]) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, (field_name, parse) in READERS.items():
        raw = env.get(name)
        if raw:
            found[field_name] = values.read(name, raw, parse, secret=name in SECRET_VARIABLES)
    return found


def _from_flags(overrides: Mapping[str, object]) -> dict[str, object]:
    found: dict[str, object] = {}
    for field_name, value in overrides.items():
        if value is None:
            continue
        parse = FLAG_PARSERS.get(field_name)
        if isinstance(value, str) and parse is not None:
            value = values.read(FLAGS.get(field_name, field_name), value, parse)
        found[field_name] = value
    return found


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment, then explicit overrides (flags) on top.

    Raises :class:`SettingError` naming the first malformed variable or flag.
    """
    env = os.environ if environ is None else environ
    from_env = _from_environment(env)
    settings = Settings().with_overrides(**from_env).with_overrides(**_from_flags(overrides))
    if isinstance(settings.data_dir, str):
        settings = replace(settings, data_dir=Path(settings.data_dir))
    return settings
