"""Load: concurrent clients on the cheap read routes while a 1M-row cleaning job runs.

    .venv/bin/python scripts/load_reads.py [--seconds 30] [--clients 50] [--rows 1000000]

Starts a throwaway embedded PostgreSQL (or uses `--database-url`, a database kept for
tests: the run commits), migrates it, COPYs `--rows` numbers into main_database and
`--files` old uploads into the file history, then serves the application with
`optimizer serve` on 127.0.0.1 (a real uvicorn server in its own process, the worker on).
Meanwhile one cleaning job is kept running: a generated `--rows`-row CSV is uploaded
through the API and processed (with include_main_database), again as soon as it is done.
`--clients` clients, each on its own keep-alive connection, call `/get-metrics`, `/files`
and `/jobs/{id}` in turn for `--seconds` (after `--warmup` seconds that are not counted),
and the script prints p50/p90/p99/max per route. Everything listens on loopback only, and
the run is bounded: the server is stopped and the database removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.repository import ApiKeyRepository  # noqa: E402 - after the path
from app.auth.service import ApiKeyService  # noqa: E402
from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.sql import SQL_DIR, SqlQueries  # noqa: E402

HOST = "127.0.0.1"  # loopback only
ROUTES = ("/get-metrics", "/files", "/jobs/{id}")
MAIN_DATABASE_FIRST = 447_100_000_000
LEADS_FIRST = 447_100_500_000  # half of the leads are already in main_database


@dataclass
class Samples:
    """Latencies (seconds) and non-200 answers per route, inside the measured window."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {r: [] for r in ROUTES})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROUTES, 0))
    jobs_done: list[float] = field(default_factory=list)


@dataclass
class Window:
    start: float
    end: float

    def counts(self, at: float) -> bool:
        return self.start <= at < self.end


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_seconds(data_dir: Path | None) -> float | None:
    """CPU of the embedded PostgreSQL: its postmaster and the processes it forked (None
    with --database-url, whose server may not even be on this machine)."""
    if data_dir is None:
        return None
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(stat.parent.name)
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if postmaster in (pid, parent):
                total += _cpu_seconds(pid)
    return total


def _waited_seconds(pid: int) -> float:
    """How long a process's threads were runnable but waited for a CPU (Linux schedstat)."""
    return sum(
        int(path.read_text().split()[1]) / 1e9
        for path in Path(f"/proc/{pid}/task").glob("*/schedstat")
        if path.exists()
    )


async def cpu_share(window: Window, server_pid: int, data_dir: Path | None) -> str:
    """How busy the server, PostgreSQL and this load generator were during the window: on
    a shared two-core machine the generator's own CPU is taken from the other two, and
    whatever else runs on the machine from all three."""
    await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
    server, mine = _cpu_seconds(server_pid), sum(os.times()[:2])
    database, waited = _postgres_seconds(data_dir), _waited_seconds(server_pid)
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    seconds = window.end - window.start
    server = (_cpu_seconds(server_pid) - server) / seconds
    waited = (_waited_seconds(server_pid) - waited) / seconds
    mine = (sum(os.times()[:2]) - mine) / seconds
    line = f"CPU during the window, in cores: server {server:.2f}, load generator {mine:.2f}"
    after = _postgres_seconds(data_dir)
    if database is not None and after is not None:
        # Backends that ended during the window are missed: a lower bound.
        line += f", PostgreSQL {(after - database) / seconds:.2f}"
    # Time the server was ready to run but every CPU was busy (with anything, anyone's).
    return f"{line}; server threads waited for a CPU {waited:.2f} s per second"


def _uptime() -> str:
    """What `uptime` says of the load: the machine is shared, so figures vary with it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


async def seed(url: str, rows: int, files: int) -> tuple[str, str]:
    """main_database by COPY, an upload history, and a read key and a write key."""
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        now = datetime.now(UTC)
        # Spread over 30 days, so that the 24-hour and 7-day counts are not trivial.
        records = (
            (str(MAIN_DATABASE_FIRST + i), now - timedelta(minutes=i % (30 * 24 * 60)))
            for i in range(rows)
        )
        started = time.perf_counter()
        await conn.copy_records_to_table(
            "main_database", records=records, columns=["custom_variable_1", "timestamp_created"]
        )
        print(f"seeded main_database: {rows:,} rows in {time.perf_counter() - started:.1f} s")
        await conn.execute(
            """
            INSERT INTO files (kind, original_filename, status, size_bytes, record_count_total,
                               record_count_clean, uploaded_at, processed_at)
            SELECT 'cleaning', 'history-' || g || '.csv', 'processed', 1000, 100, 90,
                   now() - g * interval '10 minutes', now() - g * interval '10 minutes'
            FROM generate_series(1, $1::int) AS g
            """,
            files,
        )
        # As a table settles after a bulk load: autovacuum would do this within a minute.
        await conn.execute("VACUUM (ANALYZE) main_database")
        await conn.execute("ANALYZE files")
        service = ApiKeyService(ApiKeyRepository(conn, SqlQueries.load(SQL_DIR)))
        reader = await service.create("load-reader", "read")
        writer = await service.create("load-writer", "write")
        return reader.key, writer.key
    finally:
        await conn.close()


def write_leads(path: Path, rows: int) -> None:
    phones = pl.int_range(LEADS_FIRST, LEADS_FIRST + rows, eager=True).cast(pl.String)
    pl.DataFrame({"phone": phones, "name": "load"}).write_csv(path)


@contextlib.contextmanager
def server(url: str, folder: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`optimizer serve` in its own process, as an operator runs it."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HOST": HOST,
        "PORT": str(port),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "UPLOAD_ROOT": str(folder / "uploads"),
        "MIGRATE_ON_START": "false",
        "WORKERS_ENABLED": "true",
        "SCHEDULER_ENABLED": "false",
        "JOB_POLL_SECONDS": "1",
    }
    env.pop("SQS_QUEUE_URL", None)
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError("the server stopped; see server.log")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready within a minute")


class JobDriver:
    """Keeps one cleaning job running: upload, process, wait, again."""

    def __init__(self, base_url: str, key: str, leads: Path, samples: Samples) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}, timeout=120)
        self._leads = leads
        self._samples = samples
        self.job_id: str | None = None
        self.first_job = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        async with self._client:
            while not stop.is_set():
                await self._one(stop)

    async def _one(self, stop: asyncio.Event) -> None:
        with self._leads.open("rb") as file:
            upload = await self._client.post(
                "/upload", files={"file": ("leads.csv", file, "text/csv")}
            )
        upload.raise_for_status()
        file_id = upload.json()["id"]
        started = time.perf_counter()
        process = await self._client.post(
            f"/{file_id}/process",
            params={
                "include_blacklist": "true",
                "include_monitor": "true",
                "include_main_database": "true",
            },
        )
        process.raise_for_status()
        self.job_id = process.json()["job_id"]
        self.first_job.set()
        while not stop.is_set():
            job = (await self._client.get(f"/jobs/{self.job_id}")).json()
            if job["status"] in ("succeeded", "failed"):
                if job["status"] == "failed":
                    print(f"cleaning job failed: {job.get('error')}")
                self._samples.jobs_done.append(time.perf_counter() - started)
                return
            await asyncio.sleep(0.5)


async def reader(
    number: int,
    base_url: str,
    key: str,
    driver: JobDriver,
    window: Window,
    samples: Samples,
) -> None:
    """One client on its own connection, calling the routes in turn until the window ends."""
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"X-API-Key": key},
        timeout=30,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    ) as client:
        turn = number
        while time.perf_counter() < window.end:
            route = ROUTES[turn % len(ROUTES)]
            turn += 1
            path = route.replace("{id}", driver.job_id or "")
            started = time.perf_counter()
            try:
                status = (await client.get(path)).status_code
            except httpx.HTTPError:
                status = 0
            finished = time.perf_counter()
            if window.counts(started):
                samples.latencies[route].append(finished - started)
                if status != 200:
                    samples.errors[route] += 1


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(samples: Samples, seconds: float, clients: int) -> None:
    print(f"\n{clients} clients, {seconds:.0f} s measured")
    print(
        f"{'route':<14} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'errors':>7}"
    )
    for route in ROUTES:
        values = samples.latencies[route]
        if not values:
            print(f"{route:<14} no samples")
            continue
        p50, p90, p99 = (_percentile(values, s) * 1000 for s in (0.5, 0.9, 0.99))
        print(
            f"{route:<14} {len(values):>9,} {len(values) / seconds:>7.0f} {p50:>8.1f} "
            f"{p90:>8.1f} {p99:>8.1f} {max(values) * 1000:>8.1f} {samples.errors[route]:>7}"
        )
    jobs = ", ".join(f"{s:.1f} s" for s in samples.jobs_done) or "none finished"
    print(f"cleaning jobs finished during the run (upload to done): {jobs}")


async def load(
    url: str, folder: Path, args: argparse.Namespace, data_dir: Path | None = None
) -> None:
    read_key, write_key = await seed(url, args.rows, args.files)
    leads = folder / "leads.csv"
    write_leads(leads, args.rows)
    port = _free_port()
    base_url = f"http://{HOST}:{port}"
    with server(url, folder, port) as process:
        await wait_ready(base_url, process)
        samples = Samples()
        stop = asyncio.Event()
        driver = JobDriver(base_url, write_key, leads, samples)
        driving = asyncio.create_task(driver.run(stop))
        await asyncio.wait_for(driver.first_job.wait(), timeout=120)
        if args.no_job:
            stop.set()
            await driving
        print(f"before: {_uptime()}")
        now = time.perf_counter()
        window = Window(start=now + args.warmup, end=now + args.warmup + args.seconds)
        share = asyncio.create_task(cpu_share(window, process.pid, data_dir))
        await asyncio.gather(
            *(reader(n, base_url, read_key, driver, window, samples) for n in range(args.clients))
        )
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(driving, timeout=60)
        print(f"after:  {_uptime()}")
        print(await share)
        report(samples, args.seconds, args.clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=5_000, help="old uploads in the history")
    parser.add_argument("--database-url", help="a migrated database kept for tests")
    parser.add_argument(
        "--no-job", action="store_true", help="without the cleaning job (to compare)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="optimizer-load-") as name:
        folder = Path(name)
        if args.database_url:
            apply_migrations(args.database_url)
            asyncio.run(load(args.database_url, folder, args))
            return
        with embedded_postgres(folder / "pg") as url:
            apply_migrations(url)
            asyncio.run(load(url, folder, args, folder / "pg"))


if __name__ == "__main__":
    main()
