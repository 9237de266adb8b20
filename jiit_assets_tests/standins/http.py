"""The HTTP plumbing every stand-in shares: a ``ThreadingHTTPServer`` on 127.0.0.1 served from a
daemon thread, a request handler base that writes whole responses, and the demo runner."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """``handler`` served on 127.0.0.1 (a free port when ``port`` is 0) in a background thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0, name: str = "standin") -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        # A client that never finishes its request must not keep the process alive.
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class StandinHandler(BaseHTTPRequestHandler):
    """Quiet by default; :meth:`send_body` answers with a complete body in one go."""

    def log_message(self, format: str, *args: object) -> None:
        del format, args

    def send_body(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        # The client may have gone away first (timeouts, a client killed mid-request): nothing to answer.
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)


class Outage:
    """A stand-in failing for a while: every matching request answers ``status`` until the clock
    passes the end. The clock is settable, so tests simulate an hour-long outage without waiting."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.status = 503
        self.methods: frozenset[str] = frozenset()
        self._until: float | None = None

    def start(self, seconds: float, status: int = 503, methods: frozenset[str] = frozenset()) -> None:
        """Fail for ``seconds`` of the clock; ``methods`` limits it to those (lower-case), empty = all."""
        self._until = self.clock() + seconds
        self.status = status
        self.methods = methods

    def clear(self) -> None:
        self._until = None

    def failing(self, method: str = "") -> int | None:
        """The status to answer now, or None when the service works."""
        if self._until is None or self.clock() >= self._until:
            return None
        if self.methods and method.lower() not in self.methods:
            return None
        return self.status
