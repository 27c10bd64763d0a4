"""Fixtures shared by every test.

The suite runs on SQLite by default; with ``TRACKGATE_TEST_DATABASE_URL`` set (``make test-pg``)
the same tests run on that PostgreSQL database.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trackgate.app import create_app
from trackgate.config import Settings, load_settings
from trackgate.crypto import encode_key, generate_key
from trackgate.runtime import Runtime, build_runtime
from trackgate.service import wire
from trackgate.service.users import NewUser, create_user

from .pgdb import worker_database

#: Cheap argon2 for every test; migrated databases copied per test (see each module).
pytest_plugins = ["tests.cheap_hashing", "tests.databases"]

_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if os.environ.get("TRACKGATE_TEST_DATABASE_URL") and _WORKER:
    # Each test process of the PostgreSQL pass has a database of its own (tests.pgdb); set
    # before any test module reads the variable.
    os.environ["TRACKGATE_TEST_DATABASE_URL"] = worker_database(
        os.environ["TRACKGATE_TEST_DATABASE_URL"], _WORKER
    )
TEST_DATABASE_URL = os.environ.get("TRACKGATE_TEST_DATABASE_URL")
_SESSION_KEY = encode_key(generate_key())


def private_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """HOME and the XDG directories under ``home``: a test writes no file of the developer's
    (config.toml, the journal, name caches, a key file or a database in the default places)."""
    home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    for variable, folder in XDG_DIRECTORIES.items():
        monkeypatch.setenv(variable, str(home / folder))


XDG_DIRECTORIES = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_CACHE_HOME": ".cache",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
}


@pytest.fixture(scope="session", autouse=True)
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A home of the run's own, for what starts before any test (module-scoped servers)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        private_home(monkeypatch, tmp_path_factory.mktemp("session-home"))
        yield


#: Set by `make mutate`: a process a test starts runs the code as written, not the mutant, so
#: a test that starts one cannot judge a mutant (and only slows the run): it is skipped.
IN_PROCESS_ONLY = os.environ.get("TRACKGATE_TEST_IN_PROCESS_ONLY") == "1"


@pytest.fixture(scope="session", autouse=True)
def in_process_only() -> Iterator[None]:
    if not IN_PROCESS_ONLY:
        yield
        return
    import subprocess

    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.skip("starts a process of its own, which runs unmutated code")

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
        yield


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No TRACKGATE_*, TOGGL_* or MATON_* variable of the developer's leaks into a test, and
    HOME (with XDG_CONFIG_HOME, XDG_CACHE_HOME, ...) is a directory of the test's own."""
    for name in list(os.environ):
        if (
            name.startswith(("TRACKGATE_", "TOGGL_", "MATON_"))
            and name != "TRACKGATE_TEST_DATABASE_URL"
        ):
            monkeypatch.delenv(name, raising=False)
    private_home(monkeypatch, tmp_path / "test-home")


@pytest.fixture(autouse=True)
def restore_umask() -> Iterator[None]:
    """The umask each test started with is put back after it: a command run in-process sets
    it to 077 for the whole process (``cli.common.private_files``), and without this the
    modes of what later tests create would depend on which tests ran before them."""
    mask = os.umask(0o022)
    os.umask(mask)
    yield
    os.umask(mask)


@pytest.fixture
def settings(tmp_path: Path, seeded_data_dir: Path) -> Settings:
    return load_settings(
        {},
        data_dir=seeded_data_dir,
        key_file=tmp_path / "config" / "secret.key",
        database_url=TEST_DATABASE_URL,
        secret_key=_SESSION_KEY if TEST_DATABASE_URL else None,
        auth_failure_limit="1000/minute",
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(settings)
    yield rt
    rt.close()


@pytest.fixture
def app(runtime: Runtime) -> Any:
    return create_app(runtime)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@dataclass
class Person:
    id: int
    email: str
    password: str
    token: str
    workspace_id: int
    me: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        return basic(self.token, "api_token")


def make_user(runtime: Runtime, **spec: Any) -> Person:
    email = spec.pop("email", f"user-{uuid.uuid4().hex[:10]}@example.com")
    password = spec.pop("password", "correct horse battery")
    with runtime.db.write() as session:
        user, token = create_user(session, runtime.keyring, NewUser(email, password, **spec))
        me = wire.me(user, token)
    assert user.default_workspace_id is not None
    return Person(user.id, email, password, token, user.default_workspace_id, me)


@pytest.fixture
def user(runtime: Runtime) -> Person:
    return make_user(runtime, fullname="Jane Doe")


@pytest.fixture
def other_user(runtime: Runtime) -> Person:
    return make_user(runtime, fullname="Other Person")


# --- a real `trackgate serve` on a socket -------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A `trackgate serve` subprocess; ``url`` is its root, ``data_dir`` its data."""

    url: str
    port: int
    data_dir: Path
    env: dict[str, str]
    process: Any

    def cli(self, *args: str) -> Any:
        """Run another `trackgate` command against the same data (and key)."""
        import subprocess
        import sys

        return subprocess.run(
            [sys.executable, "-m", "trackgate", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )


#: How long a `trackgate serve` may take to answer /healthz: generous, as a busy two-core
#: machine running the suite in two processes starts a server slowly.
START_SECONDS = 60


def start_live_server(
    tmp_path: Path, *extra: str, env: dict[str, str] | None = None, port: int | None = None
) -> LiveServer:
    import subprocess
    import sys
    import time

    import httpx

    port = port or free_port()  # given: a server that must know its own URL before it starts
    data_dir = tmp_path / "live-data"
    full_env = {
        **os.environ,
        "TRACKGATE_KEY_FILE": str(tmp_path / "live-config" / "secret.key"),
        "TRACKGATE_DATA_DIR": str(data_dir),
        **(env or {}),
    }
    full_env.pop("TRACKGATE_TEST_DATABASE_URL", None)
    # Logs go to a file, not a pipe nobody reads: a full pipe would block the server.
    log_path = tmp_path / f"serve-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "trackgate", "serve", "--port", str(port), *extra],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"trackgate serve exited: {log_path.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(url, port, data_dir, full_env, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"trackgate serve did not start in {START_SECONDS} s")


def stop_live_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except Exception:  # noqa: BLE001
        server.process.kill()
    if server.process.stdout:
        server.process.stdout.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """`trackgate serve` on a free loopback port, SQLite in a temporary data dir."""
    server = start_live_server(tmp_path)
    yield server
    stop_live_server(server)
