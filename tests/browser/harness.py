"""A real browser for the stream routes: headless Chromium opening them with `EventSource`.

The service runs over TCP in the test's own event loop (so pytest-httpx still answers its
vendor calls), a small page server on another port plays the dashboard's origin, and the
page reports every frame it received back to that server. Nothing here is a fake of the
browser: the frames are what Chromium's EventSource parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn
from litestar import Litestar

# Flags for a closed network: without the background ones Chromium keeps trying to reach
# Google's hosts at every start.
_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>stream</title>
<script>
const config = %(config)s;
const frames = [];
let reported = false;
function report(reason) {
  if (reported) return;
  reported = true;
  source.close();
  fetch("/report", {method: "POST", body: JSON.stringify({reason, frames})});
}
const source = new EventSource(config.url);
source.onmessage = (e) => frames.push({event: "message", data: e.data, id: e.lastEventId});
for (const name of config.events) {
  source.addEventListener(name, (e) => {
    frames.push({event: name, data: e.data, id: e.lastEventId});
    if (name === config.last) report("last");
  });
}
source.onerror = () => {
  // A refused or cut stream: EventSource gives no status, only its state.
  if (source.readyState === EventSource.CLOSED) report("closed");
  else frames.push({event: "reconnecting", data: "", id: ""});
};
setTimeout(() => report("timeout"), config.timeout_ms);
</script>
"""


@dataclass(frozen=True, slots=True)
class Frame:
    event: str  # "message" for an unnamed `data:` frame
    data: str
    id: str


@dataclass(frozen=True, slots=True)
class Received:
    reason: str  # "last" when the awaited event came; "closed" or "timeout" otherwise
    frames: list[Frame]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class DashboardOrigin:
    """The page server: another origin than the service's, as the real frontend is."""

    def __init__(self) -> None:
        self._reports: list[dict[str, Any]] = []
        self._arrived = threading.Event()
        self._page = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = outer._page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                outer._reports.append(json.loads(self.rfile.read(length)))
                outer._arrived.set()
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test's output, not the page server's, tells what happened

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextlib.contextmanager
    def serving(self) -> Iterator[DashboardOrigin]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()

    async def open_event_source(
        self, url: str, *, events: tuple[str, ...], last: str, within: float = 60.0
    ) -> Received:
        """Open `url` with EventSource in headless Chromium; every frame until `last`,
        or what came before the page gave up after `within` seconds."""
        chromium = chromium_path()
        if chromium is None:
            raise RuntimeError("Chromium is not installed (make chromium)")
        config = {"url": url, "events": events, "last": last, "timeout_ms": int(within * 1000)}
        self._page = _PAGE % {"config": json.dumps(config)}
        self._reports.clear()
        self._arrived.clear()
        with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
            process = await asyncio.create_subprocess_exec(
                chromium,
                *_CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                self.origin + "/",
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                # The service runs in this loop: wait without blocking it.
                arrived = await asyncio.to_thread(self._arrived.wait, within + 30)
            finally:
                process.kill()
                _, stderr = await process.communicate()
        if not arrived:
            raise AssertionError(f"the page never reported; Chromium said:\n{stderr.decode()}")
        report = self._reports[0]
        frames = [Frame(f["event"], f["data"], f["id"]) for f in report["frames"]]
        return Received(report["reason"], frames)


@contextlib.asynccontextmanager
async def serve_over_tcp(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real uvicorn on a free loopback port, in the test's own loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_config=None, access_log=False, timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]), name="test-uvicorn")
    try:
        while not server.started:
            if serving.done():
                serving.result()  # start-up failed: raise its error here
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        server.should_exit = True
        await serving
        sock.close()
