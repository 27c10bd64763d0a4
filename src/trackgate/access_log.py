"""One access log line per request: the path as sent, escaped, but never the query string,
where secrets such as the connect page's ``session_token`` travel.

The path is the request's raw (still percent-encoded) path, and any byte outside printable
ASCII, a quote or a backslash is written as ``%XX``: a client cannot forge a line with a
newline or drive the reader's terminal with escape sequences.

``trackgate serve`` writes the lines through :func:`buffer_lines`: formatted as the log
formatter would, kept in memory and written out together a few times a second (and at
exit), which costs about a microsecond per request where a log record written and flushed
one by one costs tens. Every request is still logged.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import threading
import time
from typing import TextIO
from urllib.parse import quote

from starlette.types import Scope

from trackgate.logformat import iso_time

log = logging.getLogger("trackgate.access")

_UNSAFE = re.compile(rb'[^\x21-\x7e]|["\\]')


def _percent(match: re.Match[bytes]) -> bytes:
    return b"%%%02X" % match.group()[0]


def escaped_path(scope: Scope) -> str:
    """The path to log: raw bytes as received, percent-escaped where unsafe."""
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        raw = quote(scope.get("path", ""), safe="/%:@!$&'()*+,;=~-._").encode()
    raw = raw.partition(b"?")[0]
    if _UNSAFE.search(raw) is None:  # the usual path: nothing to escape
        return raw.decode("ascii")
    return _UNSAFE.sub(_percent, raw).decode("ascii")


class LineBuffer:
    """Lines kept in memory and written to ``stream`` every ``interval`` seconds."""

    def __init__(self, stream: TextIO, interval: float = 0.2, json_lines: bool = False) -> None:
        self.stream = stream
        self.json_lines = json_lines
        self.interval = interval
        self._lines: list[str] = []
        self._stamp_second = -1
        self._stamp = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
        self._thread.start()

    def stamp(self) -> str:
        """The time as ``logging``'s default formatter writes it, made once per second."""
        now = time.time()
        second = int(now)
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._stamp},{int((now - second) * 1000):03d}"

    def write(self, line: str) -> None:
        self._lines.append(line)  # atomic: no lock on the request's path

    def flush(self) -> None:
        lines = self._lines
        self._lines = []
        if lines:
            try:
                self.stream.write("".join(lines))
                self.stream.flush()
            except (OSError, ValueError):
                pass  # a closed or broken log stream must not take the server down

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self.flush()


_buffer: LineBuffer | None = None


def buffer_lines(stream: TextIO, json_lines: bool = False) -> None:
    """Write access log lines to ``stream`` in batches instead of one log record each."""
    global _buffer
    if _buffer is None and log.isEnabledFor(logging.INFO):
        _buffer = LineBuffer(stream, json_lines=json_lines)
        atexit.register(_buffer.close)


def log_request(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    client = scope.get("client") or ("-", 0)
    method = scope.get("method", "-")
    if not method.isalpha():
        method = "-"
    if _buffer is not None and _buffer.json_lines:
        _buffer.write(
            json.dumps(
                {
                    "time": iso_time(time.time()),
                    "level": "INFO",
                    "logger": log.name,
                    "client": client[0],
                    "method": method,
                    "path": escaped_path(scope),
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                    "request_id": request_id,
                }
            )
            + "\n"
        )
        return
    if _buffer is not None:
        _buffer.write(
            f"{_buffer.stamp()} INFO {log.name}: {client[0]} "
            f'"{method} {escaped_path(scope)}" {status} {seconds * 1000:.1f}ms id={request_id}\n'
        )
        return
    if not log.isEnabledFor(logging.INFO):
        return
    log.info(
        '%s "%s %s" %d %.1fms id=%s',
        client[0],
        method,
        escaped_path(scope),
        status,
        seconds * 1000,
        request_id,
    )
