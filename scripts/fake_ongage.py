"""A local fake of Ongage's contacts method (external-apis.md §4), to watch a drip drain.

    .venv/bin/python scripts/fake_ongage.py --port 8911
    ONGAGE_BASE_URL=http://127.0.0.1:8911 LIST_ID=4321 X_USERNAME=u X_PASSWORD=p \
        X_ACCOUNT_CODE=acme01 make run

It checks the three auth headers (401 with Ongage's message otherwise), takes
`POST /{list_id}/api/v2/contacts/` with a JSON array of `{email, overwrite, fields}`,
answers 429 past 300 calls a minute, 412 with `failed_emails` for emails given with
`--fail`, and otherwise creates (or, with overwrite, updates) every contact.
`GET /_received` shows what it got: contacts per list, how many requests, and every email
received more than once.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# The fakes' shared handler sits beside them (run as a script or loaded from its file).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_server import FakeHandler

_CONTACTS = re.compile(r"^/([0-9]+)/api/v2/contacts/?$")
_AUTH = ("X_USERNAME", "X_PASSWORD", "X_ACCOUNT_CODE")
CALLS_PER_MINUTE = 300


class State:
    def __init__(self, fail: set[str]) -> None:
        self.lock = threading.Lock()
        self.fail = fail
        self.received: list[tuple[str, str]] = []  # (list id, email), in arrival order
        self.requests = 0
        self.calls: deque[float] = deque()

    def limited(self) -> bool:
        now = time.monotonic()
        with self.lock:
            while self.calls and now - self.calls[0] > 60:
                self.calls.popleft()
            if len(self.calls) >= CALLS_PER_MINUTE:
                return True
            self.calls.append(now)
            return False

    def summary(self) -> dict[str, Any]:
        with self.lock:
            counts = Counter(email for _, email in self.received)
            per_list = Counter(list_id for list_id, _ in self.received)
            return {
                "requests": self.requests,
                "contacts": len(self.received),
                "distinct": len(counts),
                "per_list": dict(per_list),
                "received_twice": sorted(e for e, n in counts.items() if n > 1),
                "last": [email for _, email in self.received[-5:]],
            }


def handler_for(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def _error(self, status: int, message: str) -> None:
            payload = {"code": status, "errors": [], "message": message}
            self.send(status, {"metadata": {"error": True}, "payload": payload})

        def do_GET(self) -> None:
            if self.path == "/_received":
                self.send(200, state.summary())
            else:
                self._error(404, "Not found")

        def do_POST(self) -> None:
            match = _CONTACTS.match(self.path)
            raw = self.body()
            if any(not self.headers.get(name) for name in _AUTH):
                self._error(
                    401,
                    "Invalid Credentials. Please provide valid x_username, x_password and "
                    "x_account_code headers",
                )
                return
            if match is None:
                self._error(404, "List not found")
                return
            if state.limited():
                self._error(429, "Calls per minute exceeded")
                return
            try:
                contacts = json.loads(raw)
                emails = [str(contact["email"]) for contact in contacts]
            except (ValueError, KeyError, TypeError):
                self._error(400, "Invalid data")
                return
            with state.lock:
                state.requests += 1
                state.received.extend((match.group(1), email) for email in emails)
            failed = {e: "Invalid email" for e in emails if e in state.fail}
            created = {e: f"fake{abs(hash(e)) % 10**12:012d}" for e in emails if e not in failed}
            payload: dict[str, Any] = {
                "rows": len(emails),
                "success": len(created),
                "created": len(created),
                "created_emails": created or [],
                "updated": 0,
                "updated_emails": [],
                "revived": 0,
                "revived_emails": [],
                "failed": len(failed),
                "failed_emails": failed or [],
            }
            status = 200
            if failed:
                status = 412
                payload |= {
                    "code": 412,
                    "message": f"{len(failed)} contacts out of {len(emails)} have failed",
                }
            self.send(status, {"metadata": {"error": status != 200}, "payload": payload})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--fail", action="append", default=[], help="an email to refuse (412)")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(State(set(args.fail))))
    print(f"fake Ongage on http://127.0.0.1:{args.port} (GET /_received)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
