"""Benchmark: sync a 1M-row Voluum traffic report through the real code path.

    .venv/bin/python scripts/bench_voluum_sync.py [--rows 1000000] [--page-size 10000]

A fake Voluum (a separate process on loopback, stdlib HTTP server) serves the report in
pages: 10% of the phones are link tokens, the rest in mixed formats, with mixed OS
strings (malformed ones included). The sync runs as the job runs it: the real client
(session, paging), parsing by key name, decryption, the normalizer, the OS-version rules,
COPY into api_voluum_ts_sources and the one statement that updates the lists. Prints rows/s
and the peak memory (RSS) of this process. Uses DATABASE_URL, else a throwaway embedded
PostgreSQL. Target on the reference machine: 1M rows in 30 s or less, at most 1 GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.tokens import SigningSecret  # noqa: E402
from app.clients import Clients  # noqa: E402
from app.clients.voluum import VoluumClient, Window  # noqa: E402
from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.jobs.events import JobEvents  # noqa: E402
from app.main import load_queries  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.settings import load_settings  # noqa: E402
from app.storage import LocalStorage  # noqa: E402
from app.voluum.sync import VoluumSync  # noqa: E402

# The fake server, run as `python -c` in its own process (its memory is not ours).
FAKE_VOLUUM = r"""
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
sys.path.insert(0, sys.argv[3])
import msgspec
from app.encryption.crypto import PhoneCipher

ROWS = int(sys.argv[1])
cipher = PhoneCipher(bytes.fromhex(sys.argv[2]))
OS = ["IOS 18.6", "Android 13.0", "Android 8.1", "IOS 9.3", "Windows 10", "MacOS 15 Sequoia",
      "Android ", "Android 10a", "Linux", "iOS 17", "Android 17", "Windows 7"]
TOKENS = [cipher.encrypt(f"4474{n:08d}") for n in range(1000)]

def phone(i):
    if i % 10 == 0:
        return TOKENS[i % 1000]
    n = f"{7400000000 + i * 7 % 99999999:010d}"
    return ["44" + n, "+44 " + n[:4] + " " + n[4:], "0" + n, "0044" + n][i % 4]

def row(i):
    return {"customVariable1": phone(i), "ip": f"203.0.{i % 250}.{i % 200}",
            "browserVersion": "Chrome 120", "osVersion": OS[i % len(OS)],
            "visits": 1 + i % 3, "uniqueVisits": i % 2, "clicks": 0, "conversions": int(i % 5 == 0),
            "revenue": 0.0, "cost": 0.04, "profit": -0.04, "roi": -100.0, "cv": 0.0, "epv": 0.0,
            "cpv": 0.04, "errors": 0, "costSources": ["MANUAL_UPDATE"], "Click2Reg": 0,
            "Reg2FTD": 0, "customConversions1": 0, "suspiciousVisits": 0}

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def _send(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._send(b'{"token":"bench","expirationTimestamp":"2999-01-01T00:00:00Z"}')
    def do_GET(self):
        q = parse_qs(urlsplit(self.path).query)
        offset, limit = int(q["offset"][0]), int(q["limit"][0])
        rows = [row(i) for i in range(offset, min(ROWS, offset + limit))]
        self._send(msgspec.json.encode({"offset": offset, "limit": limit, "totalRows": ROWS,
                                        "rows": rows, "totals": {}}))

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


async def run(url: str, rows: int, page_size: int, key: bytes, port: int) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": url,
            "VOLUUM_ACCESS_ID": "bench",
            "VOLUUM_ACCESS_KEY": "bench",
            "VOLUUM_BASE_URL": f"http://127.0.0.1:{port}",
            "VOLUUM_TRAFFIC_SOURCE_IDS": "bench-source",
            "VOLUUM_PAGE_SIZE": str(page_size),
            "AES_KEY": base64.urlsafe_b64encode(key).decode(),
            "WORKERS_ENABLED": "false",
            "SCHEDULER_ENABLED": "false",
        }
    )
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2, init=init_connection)
    client = VoluumClient.from_settings(settings)
    assert client is not None
    runtime = Runtime(
        settings=settings,
        queries=load_queries(),
        connections=pool,
        storage=LocalStorage(Path(tempfile.gettempdir())),
        clients=Clients([client]),
        signing_secret=SigningSecret(),
        job_events=JobEvents(),
    )

    async def progress(_done: int, _message: str) -> None:
        return None

    job_id = uuid.uuid4()
    window = Window.of(datetime(2026, 1, 29, tzinfo=UTC), datetime(2026, 1, 30, tzinfo=UTC))
    try:
        started = time.perf_counter()
        result: dict[str, Any] = await VoluumSync(runtime, job_id, progress).reports([window])
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        details = result["details"]
        print(f"{details['rows_stored']:,} rows in {details['pages']} pages: {seconds:.1f} s")
        rate = details["rows_stored"] / seconds
        print(f"voluum sync: {rate:,.0f} rows/s, peak RSS {peak_mib:,.0f} MiB")
        print(
            f"lists: {result['row_counts']}; invalid phones {details['invalid_phones']:,};"
            f" unknown OS {details['unknown_os_versions']:,}"
        )
    finally:
        await client.aclose()
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM api_voluum_ts_sources WHERE job_id = $1", job_id)
            await conn.execute("DELETE FROM phone_lists WHERE decided_by = 'os_version'")
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=10_000)
    args = parser.parse_args()
    key = os.urandom(32)
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE_VOLUUM, str(args.rows), key.hex(), str(ROOT)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert fake.stdout is not None
        port = int(fake.stdout.readline())
        url = os.environ.get("DATABASE_URL")
        if url:
            apply_migrations(url)
            asyncio.run(run(url, args.rows, args.page_size, key, port))
            return
        with (
            tempfile.TemporaryDirectory(prefix="optimizer-bench-") as folder,
            embedded_postgres(Path(folder) / "pg") as url,
        ):
            apply_migrations(url)
            asyncio.run(run(url, args.rows, args.page_size, key, port))
    finally:
        fake.terminate()
        fake.wait()


if __name__ == "__main__":
    main()
