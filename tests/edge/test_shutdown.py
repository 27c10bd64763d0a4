"""Graceful shutdown over a real socket: SIGTERM lets an in-flight call finish, then exits."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_live_server, stop_live_server
from tests.proxy.helpers import FakeUpstream, make_account, make_connection
from trackgate.config import load_settings
from trackgate.runtime import build_runtime


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    fake.start()
    yield fake
    fake.stop()


def test_sigterm_finishes_the_call_in_flight(tmp_path: Path, upstream: FakeUpstream):
    server = start_live_server(tmp_path, "--upstream", upstream.url)
    try:
        runtime = build_runtime(load_settings(server.env))
        try:
            account = make_account(runtime)
            make_connection(runtime, account.account_id, "0" * 32)
        finally:
            runtime.close()
        answers: list[httpx.Response] = []

        def call() -> None:  # the upstream takes 3 s to answer /slow
            answers.append(
                httpx.get(
                    server.url + "/toggl-track/slow",
                    headers={"Authorization": f"Bearer {account.api_key}"},
                    timeout=30,
                )
            )

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 10
        while not upstream.hits["/slow"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert upstream.hits["/slow"] == 1
        server.process.send_signal(signal.SIGTERM)
        caller.join(30)
        assert [a.status_code for a in answers] == [200]
        assert answers[0].json() == "late"
        # uvicorn re-raises the signal once it has drained, so the exit status names it.
        assert server.process.wait(30) in (0, -signal.SIGTERM)
    finally:
        stop_live_server(server)
