"""Asking Toggl (or a stand-in) for an import: counts the requests it spends, waits for the
hourly quota to reset instead of failing on a 402, and says what it waits for."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from trackgate.client._core import api_error, decode, read_quota, retry_after

DEFAULT_URL = "https://api.track.toggl.com"
#: A stop that keeps a 402 or a 429 from turning into a hot loop on a misbehaving upstream.
MAX_WAITS = 20
#: Tries of one request that met a network error or a 5xx before the import gives up.
TRIES = 4

#: Told (what it does) before each request, and (why, seconds) before each wait.
Step = Callable[[str], None]
Wait = Callable[[str, float], None]


class UpstreamError(Exception):
    """An answer the import cannot go on from; the message never holds the token."""


def _quiet(_what: str, _seconds: float = 0.0) -> None:
    return None


class Upstream:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        step: Step = _quiet,
        wait: Wait = _quiet,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.root = url.rstrip("/")
        for suffix in ("/api/v9", "/api"):
            if self.root.endswith(suffix):
                self.root = self.root[: -len(suffix)]
        self.http = httpx.Client(
            auth=(token, "api_token"),
            timeout=httpx.Timeout(120.0, connect=15.0),
            headers={"User-Agent": "trackgate-import"},
        )
        self.requests = 0
        self.step = step
        self.wait = wait
        self.sleep = sleep

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, what: str, **params: Any) -> Any:
        return self.call("GET", path, what, params=params or None).json()

    def call(
        self, method: str, path: str, what: str, *, params: Any = None, json: Any = None
    ) -> httpx.Response:
        """One request, repeated after a quota reset, a rate limit or a passing failure."""
        url = self.root + path
        waits = failures = 0
        while True:
            self.step(what)
            try:
                response = self.http.request(method, url, params=params, json=json)
            except httpx.HTTPError as exc:
                failures += 1
                if failures >= TRIES:
                    raise UpstreamError(
                        f"cannot reach {self.root}: {exc.__class__.__name__}"
                    ) from None
                self.sleep(2.0**failures)
                continue
            self.requests += 1
            status = response.status_code
            if status in (402, 429) and waits < MAX_WAITS:
                waits += 1
                self._wait_out(response, what)
                continue
            if status >= 500 and failures + 1 < TRIES:
                failures += 1
                self.sleep(2.0**failures)
                continue
            if status >= 400:
                error = api_error(response)
                raise UpstreamError(f"{method} {path}: {status} {error.message}")
            return response

    def _wait_out(self, response: httpx.Response, what: str) -> None:
        if response.status_code == 402:
            quota = read_quota(response.headers)
            seconds = float(quota.resets_in) if quota and quota.resets_in is not None else 60.0
            reason = f"Toggl's hourly quota is spent; waiting for it to reset ({what})"
        else:
            seconds = retry_after(response.headers) or 1.0
            reason = f"Toggl asks to slow down; waiting ({what})"
        seconds = max(1.0, min(seconds + 1.0, 3700.0))
        self.wait(reason, seconds)
        self.sleep(seconds)


def body_of(response: httpx.Response) -> Any:
    return decode(response)
