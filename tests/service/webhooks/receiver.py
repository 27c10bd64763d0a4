"""A tiny real HTTP server that records what is posted to it: the far end of a webhook."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trackgate.service.webhooks.signing import HEADER, signature


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_by(self, secret: str) -> bool:
        return self.headers.get(HEADER.lower()) == signature(secret, self.body)


#: What the receiver answers a request with: (status, body).
Answer = Callable[[Received], tuple[int, bytes]]


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    answer: Answer = lambda _r: (200, b"{}")  # noqa: E731
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[Received]:
        """What arrived, pings left out."""
        with self.lock:
            return [r for r in self.received if r.json.get("payload") != "ping"]

    def wait_for(self, count: int, timeout: float = 20.0, *, pings: bool = False) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = list(self.received) if pings else None
            found = got if got is not None else self.events()
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} deliveries, got {len(self.received)}")


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            got = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            with receiver.lock:
                receiver.received.append(got)
            status, body = receiver.answer(got)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


@contextmanager
def receiving(port: int = 0) -> Iterator[Receiver]:
    """A receiver on a free loopback port (or the one given, to bring it back on it)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(Receiver("")))
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook")
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
