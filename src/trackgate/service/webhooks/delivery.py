"""Posting one signed event to one target, and when to try again: shared by every kind of
target (a subscription's callback today), so all of them sign, time out, refuse redirects and
back off alike.

An attempt succeeds on a 2xx answer; anything else (another status, a redirect, a timeout, a
refused connection, a callback that now resolves to a private address) is a failure with a
short reason that names no secret."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from trackgate import __version__
from trackgate.service.webhooks import signing
from trackgate.service.webhooks.callback_urls import RefusedTarget, check_before_delivery

#: Seconds to connect, and to wait for the answer of one delivery.
CONNECT_TIMEOUT = 5.0
ANSWER_TIMEOUT = 10.0
#: The part of an answer read (for a validation code); the rest is dropped.
MAX_ANSWER_BYTES = 64 * 1024
#: Waits between attempts: from the first to the longest, doubling, with jitter.
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 3600.0
#: Attempts before an event is given up (about four hours of retries).
MAX_ATTEMPTS = 15
USER_AGENT = f"trackgate-webhooks/{__version__}"


@dataclass(frozen=True)
class Target:
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    status: int | None = None
    answer: bytes = b""


def make_client() -> httpx.AsyncClient:
    """One client per worker: no redirects, no proxies from the environment, short timeouts."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(ANSWER_TIMEOUT, connect=CONNECT_TIMEOUT),
        headers={"User-Agent": USER_AGENT},
    )


def retry_delay(failures: int) -> float:
    """Seconds before the next attempt after ``failures`` failed ones: doubling, capped,
    jittered to between half and all of it so that retries of many targets spread out."""
    delay = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, failures - 1))
    return float(delay * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not a secret


async def _read_some(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ANSWER_BYTES:
            break
    return b"".join(chunks)[:MAX_ANSWER_BYTES]


async def post_signed(
    client: httpx.AsyncClient, target: Target, body: bytes, *, allow_private: bool
) -> Outcome:
    try:
        await check_before_delivery(target.url, allow_private=allow_private)
    except RefusedTarget as exc:
        return Outcome(False, str(exc))
    headers = {
        "Content-Type": "application/json",
        signing.HEADER: signing.signature(target.secret, body),
    }
    try:
        async with client.stream("POST", target.url, content=body, headers=headers) as response:
            answer = await _read_some(response)
    except httpx.TimeoutException:
        return Outcome(False, "timeout: no answer in time")
    except httpx.HTTPError as exc:
        return Outcome(False, f"connection failed: {type(exc).__name__}")
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(True, status=status, answer=answer)
    if 300 <= status < 400:
        return Outcome(False, f"redirect not followed: HTTP {status}", status)
    return Outcome(False, f"HTTP {status}", status)
