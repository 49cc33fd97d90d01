"""A local stand-in for the Voluum calls of the broadcasts domain (shared/external-apis.md
§1.2, §1.4, §1.7): the access-key session, campaign report totals, and the manual cost.

    python scripts/fake_voluum.py --port 8083 --delay 0.2
    VOLUUM_ACCESS_ID=demo VOLUUM_ACCESS_KEY=demo VOLUUM_BASE_URL=http://127.0.0.1:8083 \\
        optimizer serve

A report answers after `--delay` seconds with totals derived from the campaign id. A cost
for a campaign whose id ends in 0 or 5 answers 417 NO_VISITS_PERIOD. A wrong or missing
`cwauth-token` gets 401. `GET /_calls` counts the calls by path (and report windows).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "fake-voluum-token"  # noqa: S105 - a fake's fixed session token


def totals(campaign: str) -> dict[str, Any]:
    n = int(campaign[-4:], 16) if campaign[-4:].isalnum() else 0
    visits = 40 + n % 50
    return {
        "visits": visits,
        "uniqueVisits": visits - 3,
        "conversions": n % 5,
        "Click2Reg": round(100 * (n % 5) / visits, 4),
        "Reg2FTD": 12.5,
        "revenue": 25.0,
        "cost": 0.12,
        "costSources": ["MANUAL_UPDATE"],
    }


def handler(
    delay: float, calls: Counter[str], lock: threading.Lock
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: object) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _count(self, name: str) -> None:
            with lock:
                calls[name] += 1

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/_calls":
                with lock:
                    return self._send(200, dict(calls))
            if self.headers.get("cwauth-token") != TOKEN:
                return self._send(401, {"error": {"code": "UNAUTHORIZED"}})
            if url.path != "/report":
                return self._send(404, {"error": {"code": "NOT_FOUND"}})
            query = parse_qs(url.query)
            campaign = query.get("filter1Value", [""])[0]
            self._count("/report")
            self._count(f"/report {campaign} {query['from'][0]} {query['to'][0]}")
            time.sleep(delay)
            self._send(
                200,
                {
                    "totalRows": 1,
                    "rows": [],
                    "totals": totals(campaign),
                    "offset": 0,
                    "limit": 1,
                    "truncated": False,
                    "messages": [],
                },
            )
            return None

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if url.path == "/auth/access/session":
                self._count(url.path)
                return self._send(
                    200,
                    {
                        "token": TOKEN,
                        "inaugural": False,
                        "expirationTimestamp": "2999-01-01T00:00:00.000Z",
                    },
                )
            if self.headers.get("cwauth-token") != TOKEN:
                return self._send(401, {"error": {"code": "UNAUTHORIZED"}})
            if url.path != "/report/manual-cost":
                return self._send(404, {"error": {"code": "NOT_FOUND"}})
            self._count(url.path)
            if body.get("campaignId", "")[-1:] in ("0", "5"):
                return self._send(
                    417,
                    {"error": {"code": "NO_VISITS_PERIOD", "description": "No visits in period"}},
                )
            self._send(200, {})
            return None

    return Handler


def serve(port: int = 0, *, delay: float = 0.0) -> ThreadingHTTPServer:
    """The fake on 127.0.0.1:`port` (0: any free port), serving in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler(delay, Counter(), threading.Lock()))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-voluum").start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8083)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    server = serve(args.port, delay=args.delay)
    print(f"fake Voluum on http://127.0.0.1:{server.server_port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
