"""A local stand-in for HLR Lookup (both APIs, as shared/external-apis.md §3 has them),
to try HLR without paying: point the service at it and watch what is sent.

    python scripts/fake_hlr.py --port 8081 --key demo --secret demo
    HLRLOOKUP_APIKEY=demo HLRLOOKUP_SECRET=demo \\
    HLR_BATCH_BASE_URL=http://127.0.0.1:8081 HLR_API_BASE_URL=http://127.0.0.1:8081/apiv2 \\
    optimizer serve

A number's answer follows its last digit: 0-5 LIVE, 6 DEAD, 7 ABSENT_SUBSCRIBER,
8 NO_COVERAGE, 9 LIVE on "Lycamobile UK Limited". A started batch completes
`--per-second` numbers a second. Every call is printed (never the credentials).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The fakes' shared handler sits beside them (run as a script or loaded from its file).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_server import FakeHandler

STATUSES = ["LIVE"] * 6 + ["DEAD", "ABSENT_SUBSCRIBER", "NO_COVERAGE", "LIVE"]
# The results CSV's header as the old service recorded it (the input echoed first).
COLUMNS = (
    "input", "error", "request_parameters.telephone_number", "detected_telephone_number",
    "formatted_telephone_number", "telephone_number_type", "live_status", "original_network",
    "original_network_details.name", "original_network_details.mccmnc", "current_network",
    "current_network_details.name", "current_network_details.mccmnc", "is_ported", "timestamp",
)  # fmt: skip


def answer(number: str) -> dict[str, Any]:
    """One number's v2 result."""
    last = int(number[-1]) if number[-1:].isdigit() else 0
    network = "Lycamobile UK Limited" if last == 9 else "EE Limited"
    return {
        "error": "NONE",
        "request_parameters": {"telephone_number": number},
        "credits_spent": 0 if STATUSES[last] == "NO_COVERAGE" else 1,
        "detected_telephone_number": number,
        "formatted_telephone_number": "",
        "telephone_number_type": "MOBILE",
        "live_status": STATUSES[last],
        "original_network": "AVAILABLE",
        "original_network_details": {"name": "EE Limited", "mccmnc": "23430"},
        "current_network": "AVAILABLE",
        "current_network_details": {"name": network, "mccmnc": "23426"},
        "is_ported": "NO",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


class Batches:
    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        self.lock = threading.Lock()
        self.batches: dict[str, dict[str, Any]] = {}

    def view(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        items = len(batch["numbers"])
        done = 0
        if batch["started"] is not None:
            done = min(items, int((time.monotonic() - batch["started"]) * self.per_second))
        status = batch["status"]
        if status == "PROCESSING" and done == items:
            status = "COMPLETE"
        return {"id": batch_id, "filename": batch["filename"], "type": "HLR_V2",
                "numItems": items, "numComplete": done, "status": status}  # fmt: skip

    def results(self, batch_id: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number in self.batches[batch_id]["numbers"]:
            flat = answer(number)
            row = [number]
            for column in COLUMNS[1:]:
                head, _, tail = column.partition(".")
                value = flat.get(head, "")
                row.append(value.get(tail, "") if isinstance(value, dict) else value)
            writer.writerow(row)
        return out.getvalue()


def handler(batches: Batches, key: str, secret: str) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            body = self.body()
            if (method, url.path) == ("POST", "/apiv2/hlr"):
                request = json.loads(body)
                if (request.get("api_key"), request.get("api_secret")) != (key, secret):
                    return self.send(401, {"error": "UNAUTHORIZED"})
                numbers = [r["telephone_number"] for r in request.get("requests", [])]
                if not 0 < len(numbers) <= 80:
                    return self.send(400, {"error": "BAD_REQUEST"})
                print(f"v2 lookup: {len(numbers)} number(s): {' '.join(numbers)}", flush=True)
                return self.send(200, {"results": [answer(n) for n in numbers]})
            query = parse_qs(url.query)
            if (query.get("apikey"), query.get("secret")) != ([key], [secret]):
                return self.send(401, {"error": "UNAUTHORIZED"})
            parts = [p for p in url.path.split("/") if p]
            with batches.lock:
                if method == "POST" and parts == ["batches"]:
                    batch_id = str(100000 + len(batches.batches) + 1)
                    filename = json.loads(body).get("filename", "")
                    batches.batches[batch_id] = {
                        "filename": filename, "numbers": [], "status": "NOT_STARTED",
                        "started": None,
                    }  # fmt: skip
                    print(f"batch {batch_id} created", flush=True)
                    return self.send(200, batches.view(batch_id))
                if len(parts) < 2 or parts[0] != "batches" or parts[1] not in batches.batches:
                    return self.send(404, "")
                batch_id, batch = parts[1], batches.batches[parts[1]]
                if method == "POST" and parts[2:] == ["source"]:
                    batch["numbers"] += body.decode().split()
                    print(f"batch {batch_id} source: {len(body.split())} number(s)", flush=True)
                    return self.send(200, batches.view(batch_id))
                if method == "PUT" and parts[2:] == [] and url.path.endswith("/"):
                    batch["status"], batch["started"] = "PROCESSING", time.monotonic()
                    print(f"batch {batch_id} started", flush=True)
                    return self.send(200, batches.view(batch_id))
                if method == "GET" and parts[2:] == [] and not url.path.endswith("/"):
                    return self.send(200, batches.view(batch_id))
                if method == "GET" and parts[2:] == ["results"]:
                    print(f"batch {batch_id} results downloaded", flush=True)
                    return self.send(200, batches.results(batch_id), "text/csv")
            return self.send(404, "")

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--key", default="demo")
    parser.add_argument("--secret", default="demo")
    parser.add_argument("--per-second", type=float, default=2.0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(
        ("127.0.0.1", args.port), handler(Batches(args.per_second), args.key, args.secret)
    )
    print(f"fake HLR Lookup on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
