"""A local stand-in for MessageWhiz API v3 (shared/external-apis.md §2): today's and
yesterday's broadcasts with their embedded stats, and the tracked links to Voluum.

    python scripts/fake_messagewhiz.py --port 8082 --key demo --broadcasts 200 --campaigns 20
    MMD_API_KEY=demo MESSAGEWHIZ_BASE_URL=http://127.0.0.1:8082/api/3 optimizer serve

Broadcast i of a day goes to campaign i % campaigns (each campaign's broadcasts in one
hour) and list `UK_LIST{i % 7}`; every 17th is cancelled (state 2), every 13th has no
`dlr`, every 29th has no link. The list is newest first and pages by `limit`/`start`; a
wrong `apikey` gets 401 with the envelope's errorCode. `GET /_calls` counts the calls by
path. The key is never printed.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The fakes' shared handler sits beside them (run as a script or loaded from its file).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_server import FakeHandler, serve_in_thread

LINK_BASE = 6434000


def campaign_id(n: int) -> str:
    return f"0f0e0d0c-0000-4000-8000-{n:012d}"


def broadcast(day: datetime, i: int, campaigns: int) -> dict[str, Any]:
    # A campaign's broadcasts go out in one hour (one Voluum window per campaign), the
    # campaigns spread over the hours already past.
    hours = max(1, min(24, int((datetime.now(UTC) - day).total_seconds() // 3600) + 1))
    sent = day + timedelta(hours=(i % campaigns) * hours // campaigns, minutes=i % 60)
    # Never in the future, never before the day (just after midnight).
    sent = max(day, min(sent, datetime.now(UTC) - timedelta(seconds=1)))
    bid = int(day.strftime("%y%m%d")) * 1000 + i
    link = "" if i % 29 == 28 else f" {{{{link:{LINK_BASE + i % campaigns}}}}}"
    item: dict[str, Any] = {
        "id": bid,
        "user_id": 1001,
        "name": f"UK_LIST{i % 7}_chunk#{i}.csv",
        "type": 11,
        "message_body": f"Your bonus is waiting{link}",
        "enabled": 1,
        "trigger_id": None,
        "send_date": sent.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "create_date": (sent - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "state": 2 if i % 17 == 16 else 4,
        "parent_id": None,
        "real_price": 2026.64,
        "estimated_price": 2026.64,
        "estimated_count": 517,
        "recipient_count": 517,
        "send_now": False,
        "department_id": 2002,
        "department": {"id": 2002, "name": "Team"},
        "dlr": {
            "broadcast_id": bid,
            "sent_count": 0,
            "delivered_count": 517,
            "undelivered_count": 0,
            "rejected_count": 0,
            "expired_count": 0,
            "failed_count": 0,
            "read_count": 0,
        },
        "broadcastConversion": {
            "uniqueClicks": 5,
            "totalClicks": 7,
            "recipientCount": 517,
            "conversion": "0.97",
            "broadcastId": bid,
            "segmented": True,
        },
    }
    if i % 13 == 12:
        del item["dlr"]
    return item


class Data:
    def __init__(self, count: int, campaigns: int) -> None:
        self.count, self.campaigns = count, campaigns
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def broadcasts(self) -> list[dict[str, Any]]:
        """Today's then yesterday's, newest first (made per call: today moves on)."""
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        items = []
        for day in (today, today - timedelta(days=1)):
            items += [broadcast(day, i, self.campaigns) for i in range(self.count)]
        return sorted(items, key=lambda b: b["send_date"], reverse=True)

    def links(self) -> list[dict[str, Any]]:
        return [
            {
                "id": LINK_BASE + n,
                "name": f"campaign {n}",
                "type": 1,
                "enabled": 1,
                "url": f"https://trk.example.com/{campaign_id(n)}?Phone={{recipients.id}}",
            }
            for n in range(self.campaigns)
        ]


def envelope(result: object, code: int = 0, message: str = "") -> dict[str, Any]:
    return {
        "errorCode": code,
        "errorMessage": message,
        "errorType": "",
        "executionTime": 0.01,
        "result": result,
    }


def handler(data: Data, key: str) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            path = url.path.removeprefix("/api/3")
            if path == "/_calls":
                with data.lock:
                    return self.send(200, dict(data.calls))
            if self.headers.get("apikey") != key:
                return self.send(401, envelope(None, 401, "Invalid API key"))
            query = parse_qs(url.query)
            limit = int(query.get("limit", ["25"])[0])
            start = int(query.get("start", ["0"])[0])
            with data.lock:
                data.calls[path] += 1
            if path == "/Broadcast/List":
                items = data.broadcasts()
            elif path == "/Link":
                items = data.links()
            else:
                return self.send(404, envelope(None, 404, "Not found"))
            self.send(200, envelope(items[start : start + limit]))
            return None

    return Handler


def serve(
    port: int = 0, *, key: str = "demo", broadcasts: int = 200, campaigns: int = 20
) -> ThreadingHTTPServer:
    """The fake on 127.0.0.1:`port` (0: any free port), serving in a daemon thread."""
    return serve_in_thread(handler(Data(broadcasts, campaigns), key), port, "fake-messagewhiz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--key", default="demo")
    parser.add_argument("--broadcasts", type=int, default=200)
    parser.add_argument("--campaigns", type=int, default=20)
    args = parser.parse_args()
    server = serve(args.port, key=args.key, broadcasts=args.broadcasts, campaigns=args.campaigns)
    print(f"fake MessageWhiz on http://127.0.0.1:{server.server_port}/api/3", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
