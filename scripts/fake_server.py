"""What the local vendor fakes (scripts/fake_*.py) share: a handler that answers JSON or
text and reads a request's body, and a server on loopback in a daemon thread."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # each fake tells what arrived in its own way (its /_calls, /_received, prints)

    def send(self, status: int, body: object, content_type: str = "application/json") -> None:
        """`body` as JSON, or a str as it is (with `content_type`)."""
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


def serve_in_thread(
    handler: type[BaseHTTPRequestHandler], port: int, name: str
) -> ThreadingHTTPServer:
    """`handler` on 127.0.0.1:`port` (0: any free port), serving in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name=name).start()
    return server
