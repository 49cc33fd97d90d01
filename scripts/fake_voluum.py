"""A local stand-in for Voluum (shared/external-apis.md §1.2 to §1.5, §1.7): the access-key
session, the traffic report of a traffic source, conversions, campaign report totals, and
the manual cost.

    python scripts/fake_voluum.py --port 8083 --delay 0.2
    VOLUUM_ACCESS_ID=demo VOLUUM_ACCESS_KEY=demo VOLUUM_BASE_URL=http://127.0.0.1:8083 \\
        VOLUUM_TRAFFIC_SOURCE_IDS=ts-1 optimizer serve

A campaign's report answers after `--delay` seconds with totals derived from the campaign
id. A traffic source's report (`filter1=traffic-source`) has, for each whole day the
window touches, one row per phone 447400100000 to 447400100011, on an OS version from a
fixed cycle (blacklist, whitelist, monitor and unknown ones, malformed ones included),
paged by `limit`/`offset` with `totalRows`. `/report/conversions` has four conversions a
day (REG and FTD, GB and DE) with Voluum's 12-hour postback times. A cost for a campaign
whose id ends in 0 or 5 answers 417 NO_VISITS_PERIOD. A wrong or missing `cwauth-token`
gets 401. `GET /_calls` counts the calls by path (and report windows).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The fakes' shared handler sits beside them (run as a script or loaded from its file).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_server import FakeHandler, serve_in_thread

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


OS_VERSIONS = (
    "IOS 9.3", "IOS 18.6", "Android 13", "Android 7.1", "Windows 10", "Android ", "IOS 12.5",
    "Android 10a",
)  # fmt: skip
PHONES = [f"4474001000{i:02d}" for i in range(12)]


def days(query: dict[str, list[str]]) -> list[datetime]:
    """Each whole UTC day the report's `[from, to)` window touches."""
    start = datetime.fromisoformat(query["from"][0].replace("Z", "+00:00")).astimezone(UTC)
    end = datetime.fromisoformat(query["to"][0].replace("Z", "+00:00")).astimezone(UTC)
    day = start.replace(hour=0)
    found = []
    while day < end:
        found.append(day)
        day += timedelta(days=1)
    return found


def traffic_rows(query: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "customVariable1": phone,
            "ip": f"203.0.113.{i + 1}",
            "browserVersion": "Mobile Safari 18",
            "osVersion": OS_VERSIONS[(i + day.day) % len(OS_VERSIONS)],
            "visits": 3 + i,
            "uniqueVisits": 1 + i % 3,
            "clicks": i % 4,
            "conversions": i % 2,
            "cost": 0.04,
            "costSources": ["MANUAL_UPDATE"],
        }
        for day in days(query)
        for i, phone in enumerate(PHONES)
    ]


def conversion_rows(query: dict[str, list[str]]) -> list[dict[str, Any]]:
    rows = []
    for day in days(query):
        for i, (kind, country) in enumerate(
            (("REG", "GB"), ("FTD", "GB"), ("REG", "DE"), ("FTD", "GB"))
        ):
            at = (day + timedelta(hours=9, minutes=i)).strftime("%Y-%m-%d %I:%M:%S %p")
            rows.append(
                {
                    "clickId": f"c{day:%Y%m%d}{i:02d}".ljust(24, "x"),
                    "transactionId": f"TX-{day:%Y%m%d}-{i}",
                    "visitTimestamp": at,
                    "postbackTimestamp": at,
                    "conversionType": kind,
                    "conversionTypeId": kind.lower(),
                    "countryCode": country,
                    "customVariable1": PHONES[i] if country == "GB" else "4915123456789",
                    "offerId": "0f0e0d0c-0000-4000-8000-0000000000a1",
                    "offerName": "Offer A",
                    "campaignId": "0f0e0d0c-0000-4000-8000-000000000001",
                    "campaignName": "UK - SMS - Clickers",
                    "revenue": 25.0 if kind == "FTD" else 0.0,
                    "cost": 0.04,
                }
            )
    return rows


def page(rows: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
    limit = int(query.get("limit", ["100"])[0])
    offset = int(query.get("offset", ["0"])[0])
    return {
        "totalRows": len(rows),
        "rows": rows[offset : offset + limit],
        "totals": {},
        "offset": offset,
        "limit": limit,
        "truncated": False,
        "messages": [],
    }


def handler(
    delay: float, calls: Counter[str], lock: threading.Lock
) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def _count(self, name: str) -> None:
            with lock:
                calls[name] += 1

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/_calls":
                with lock:
                    return self.send(200, dict(calls))
            if self.headers.get("cwauth-token") != TOKEN:
                return self.send(401, {"error": {"code": "UNAUTHORIZED"}})
            query = parse_qs(url.query)
            if url.path == "/report/conversions":
                self._count(url.path)
                return self.send(200, page(conversion_rows(query), query))
            if url.path != "/report":
                return self.send(404, {"error": {"code": "NOT_FOUND"}})
            if query.get("filter1") == ["traffic-source"]:
                self._count("/report traffic-source")
                return self.send(200, page(traffic_rows(query), query))
            campaign = query.get("filter1Value", [""])[0]
            self._count("/report")
            self._count(f"/report {campaign} {query['from'][0]} {query['to'][0]}")
            time.sleep(delay)
            self.send(
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
            body = json.loads(self.body())
            if url.path == "/auth/access/session":
                self._count(url.path)
                return self.send(
                    200,
                    {
                        "token": TOKEN,
                        "inaugural": False,
                        "expirationTimestamp": "2999-01-01T00:00:00.000Z",
                    },
                )
            if self.headers.get("cwauth-token") != TOKEN:
                return self.send(401, {"error": {"code": "UNAUTHORIZED"}})
            if url.path != "/report/manual-cost":
                return self.send(404, {"error": {"code": "NOT_FOUND"}})
            self._count(url.path)
            if body.get("campaignId", "")[-1:] in ("0", "5"):
                return self.send(
                    417,
                    {"error": {"code": "NO_VISITS_PERIOD", "description": "No visits in period"}},
                )
            self.send(200, {})
            return None

    return Handler


def serve(port: int = 0, *, delay: float = 0.0) -> ThreadingHTTPServer:
    """The fake on 127.0.0.1:`port` (0: any free port), serving in a daemon thread."""
    return serve_in_thread(handler(delay, Counter(), threading.Lock()), port, "fake-voluum")


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
