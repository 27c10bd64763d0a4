"""Engine and sessions. SQLite: WAL, ``synchronous=FULL``, writes serialised with
``BEGIN IMMEDIATE`` and reads concurrent. Both databases keep a pool of open connections, so
a session costs a checkout, not a connect plus the SQLite pragmas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from trackgate.storage.plain import PlainQuery, Row

#: Open SQLite connections kept for reuse (one per busy worker thread is plenty); more are
#: opened under bursts and closed again when returned.
SQLITE_POOL_SIZE = 16
SQLITE_POOL_OVERFLOW = 48


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, pre_ping: bool = True, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        if ":memory:" in url:
            engine = create_engine(url)
        else:
            engine = create_engine(
                url,
                pool_size=SQLITE_POOL_SIZE,
                max_overflow=SQLITE_POOL_OVERFLOW,
                connect_args={"check_same_thread": False},
            )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=pre_ping
    )


class _SharedRead:
    """The read session of one request, opened on first use and closed when it ends."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.session: Session | None = None
        #: a write committed since the session last read: its objects may be stale
        self.stale = False

    def get(self) -> Session:
        if self.session is None:
            self.session = self.database._read()
        elif self.stale:
            self.session.expire_all()
        self.stale = False
        return self.session

    def before_write(self) -> None:
        """End the read transaction (its snapshot predates the write) and mark it stale."""
        if self.session is not None:
            self.session.commit()
            self.stale = True

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


_shared_read: ContextVar[_SharedRead | None] = ContextVar("trackgate_shared_read", default=None)


class Database:
    """Sessions for reading and for writing; a write session commits on success. The
    hottest reads skip sessions altogether (:meth:`plain_rows`).

    Inside :meth:`request_scope`, every ``read()`` shares one session: the reads of one
    request then cost one pooled connection and one transaction, and an object an earlier
    read loaded comes from the session's identity map. A ``write()`` in the scope ends that
    transaction first, so reads after it see what it committed.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = url.startswith("sqlite")
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        #: hot reads (:meth:`plain_rows`) check their own dropped connections: on PostgreSQL
        #: their pool pings no connection at checkout
        self._plain_engine = (
            self.engine if self.is_sqlite else make_engine(url, pre_ping=False, pool_size=5)
        )
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(writer, expire_on_commit=False)

    @property
    def write_sessions(self) -> sessionmaker[Session]:
        """What :meth:`write` makes its sessions with (to hook events onto every write)."""
        return self._write

    @contextmanager
    def read(self) -> Iterator[Session]:
        shared = _shared_read.get()
        if shared is not None and shared.database is self:
            yield shared.get()
            return
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        shared = _shared_read.get()
        if shared is not None and shared.database is self:
            shared.before_write()
        with self._write() as session, session.begin():
            yield session

    def plain_rows(self, query: PlainQuery, params: Mapping[str, Any]) -> list[Row]:
        """The rows of a hot read, as tuples of driver values (see :mod:`storage.plain`).

        Runs on a pooled connection outside any transaction, so it sees every committed
        write. A connection the server dropped (a restart) is replaced and the read retried
        once, which is what the sessions' pre-ping buys them for a round trip per checkout."""
        sql, args = query.bind(self.engine.dialect, params)
        for attempt in (1, 2):
            connection: Any = self._plain_engine.raw_connection()
            cursor = None
            try:
                if not self.is_sqlite:
                    connection.driver_connection.autocommit = True
                cursor = connection.cursor()
                cursor.execute(sql, args)
                rows: list[Row] = cursor.fetchall()
                return rows
            except self.engine.dialect.loaded_dbapi.Error as exc:
                dropped = self.engine.dialect.is_disconnect(
                    exc, connection.dbapi_connection, cursor
                )
                if dropped:
                    connection.invalidate(exc)
                if not dropped or attempt == 2:
                    raise
            finally:
                if cursor is not None:
                    cursor.close()
                if connection.is_valid and not self.is_sqlite:
                    connection.driver_connection.autocommit = False
                connection.close()
        raise AssertionError("unreachable")

    def plain_row(self, query: PlainQuery, params: Mapping[str, Any]) -> Row | None:
        rows = self.plain_rows(query, params)
        return rows[0] if rows else None

    @contextmanager
    def request_scope(self) -> Iterator[None]:
        """Share one read session among the ``read()`` calls of one request."""
        shared = _SharedRead(self)
        token = _shared_read.set(shared)
        try:
            yield
        finally:
            _shared_read.reset(token)
            shared.close()

    def dispose(self) -> None:
        self.engine.dispose()
        self._plain_engine.dispose()
