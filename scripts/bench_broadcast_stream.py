"""Benchmark: 1,000 dashboards open the live broadcasts stream at once.

    .venv/bin/python scripts/bench_broadcast_stream.py [--clients 1000] [--broadcasts 200]
        [--campaigns 20] [--voluum-delay 0.2]

The fake MessageWhiz (scripts/fake_messagewhiz.py: 200 broadcasts today in 20 campaigns)
and the fake Voluum (scripts/fake_voluum.py, each report answered after --voluum-delay
seconds) run as processes of their own on loopback; the service runs as it is deployed
(`optimizer serve`, uvicorn, its own pool) in a third. Then --clients stream clients
open `/get-live-broadcasts-stream?token=` together (a stream token, as a browser's
EventSource does) and read every frame to `done`.

Prints the upstream calls the fakes counted (target: one Voluum report per distinct
campaign window, 20 here, and one MessageWhiz list), the time until the last client had
`done`, and the service's peak memory (VmHWM). Uses DATABASE_URL, else a throwaway
embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.repository import ApiKeyRepository  # noqa: E402 - after the path
from app.auth.service import ApiKeyService  # noqa: E402
from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.sql import SQL_DIR, SqlQueries  # noqa: E402


@contextlib.contextmanager
def process(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        yield child
    finally:
        child.terminate()
        child.wait(timeout=30)


def announced_url(child: subprocess.Popen[str]) -> str:
    """The URL a fake prints on its first line."""
    assert child.stdout is not None
    return child.stdout.readline().split(" on ", 1)[1].strip()


async def create_key(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        service = ApiKeyService(ApiKeyRepository(conn, SqlQueries.load(SQL_DIR)))
        return (await service.create(f"bench-{uuid.uuid4().hex[:8]}", "read")).key
    finally:
        await conn.close()


async def one_client(client: httpx.AsyncClient, token: str) -> int:
    """Reads one stream to its end; the number of row frames."""
    rows = 0
    async with client.stream(
        "GET", "/get-live-broadcasts-stream", params={"token": token}
    ) as answer:
        if answer.status_code != 200:
            await answer.aread()
            print(f"refused: {answer.status_code} {answer.text[:80]}", file=sys.stderr)
            return -1
        async for line in answer.aiter_lines():
            rows += line.startswith('data: {"type":"row"')
            if line == "event: done":
                return rows
    raise RuntimeError("the stream ended without done")


async def wait_until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/health")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the service did not start")


async def drive(base: str, key: str, clients: int) -> tuple[float, list[int]]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=0)
    timeout = httpx.Timeout(300.0, connect=60.0, pool=300.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        # What a browser's EventSource does: a stream token in the URL.
        issued = await client.post("/auth/stream-token", headers={"X-API-Key": key})
        token = issued.raise_for_status().json()["token"]
        started = time.perf_counter()
        rows = await asyncio.gather(*(one_client(client, token) for _ in range(clients)))
        return time.perf_counter() - started, rows


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib(pid: int) -> float:
    """The peak resident memory of a process (Linux VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench(url: str, args: argparse.Namespace, folder: Path) -> None:
    apply_migrations(url)
    key = asyncio.run(create_key(url))
    scripts = ROOT / "scripts"
    with (
        process(
            str(scripts / "fake_messagewhiz.py"), "--port", "0", "--key", "bench",
            "--broadcasts", str(args.broadcasts), "--campaigns", str(args.campaigns),
        ) as messagewhiz,
        process(
            str(scripts / "fake_voluum.py"), "--port", "0", "--delay", str(args.voluum_delay)
        ) as voluum,
    ):  # fmt: skip
        messagewhiz_url, voluum_url = announced_url(messagewhiz), announced_url(voluum)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORT": str(args.port),
            "MIGRATE_ON_START": "false",
            "WORKERS_ENABLED": "false",
            "SCHEDULER_ENABLED": "false",
            "UPLOAD_ROOT": str(folder / "uploads"),
            "FIRST_KEY_FILE": str(folder / "first-key"),
            "LOG_LEVEL": "WARNING",
            "DB_POOL_MAX": str(args.pool),
            "MMD_API_KEY": "bench",
            "MESSAGEWHIZ_BASE_URL": messagewhiz_url,
            "VOLUUM_ACCESS_ID": "bench",
            "VOLUUM_ACCESS_KEY": "bench",
            "VOLUUM_BASE_URL": voluum_url,
        }
        with process("-c", "import sys; from app.cli import main; sys.exit(main())", "serve",
                     env=env) as service:  # fmt: skip
            base = f"http://127.0.0.1:{args.port}"
            asyncio.run(wait_until_up(base))
            cpu_before = cpu_seconds(service.pid)
            client_before = time.process_time()
            seconds, rows = asyncio.run(drive(base, key, args.clients))
            service_cpu = cpu_seconds(service.pid) - cpu_before
            client_cpu = time.process_time() - client_before
            memory = peak_mib(service.pid)
        voluum_calls = httpx.get(f"{voluum_url}/_calls").json()
        messagewhiz_calls = httpx.get(f"{messagewhiz_url}/_calls").json()
    windows = sum(1 for name in voluum_calls if name.startswith("/report "))
    refused = rows.count(-1)
    rows = [r for r in rows if r >= 0] or [0]
    print(
        f"{args.clients:,} stream clients, {rows[0]} rows each (all equal: {len(set(rows)) == 1})"
    )
    print(f"refused streams: {refused}")
    print(f"time to the last done: {seconds:.2f} s")
    print(
        f"upstream Voluum report calls: {voluum_calls.get('/report', 0)} for {windows} distinct "
        f"campaign windows; sessions: {voluum_calls.get('/auth/access/session', 0)}"
    )
    print(f"upstream MessageWhiz calls: {messagewhiz_calls}")
    print(f"service peak memory (VmHWM): {memory:,.0f} MiB")
    print(f"CPU during the run: service {service_cpu:.1f} s, stream clients {client_cpu:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--broadcasts", type=int, default=200)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--voluum-delay", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--pool", type=int, default=10, help="DB_POOL_MAX of the service")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as tmp:
        folder = Path(tmp)
        url = os.environ.get("DATABASE_URL")
        if url:
            bench(url, args, folder)
            return
        with embedded_postgres(folder / "pg") as url:
            bench(url, args, folder)


if __name__ == "__main__":
    main()
