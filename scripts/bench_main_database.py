"""Benchmark: record a cleaning run's kept numbers in main_database (include_main_database).

    .venv/bin/python scripts/bench_main_database.py [--rows 3000000] [--repeat 3]

Uses DATABASE_URL, else a throwaway embedded PostgreSQL; main_database must be empty
(it is emptied again between runs and at the end). Writes the kept phones as a cleaning
job does (one per line, in file order), then times `PhoneRepository.record_seen` in its
own transaction, committed, as the job's finishing transaction runs it: into the empty
table, then again into the table that now holds every number. Prints each run and the
medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.main import load_queries  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.phones.repository import PhoneRepository  # noqa: E402


def kept_phones(path: Path, rows: int) -> Path:
    """Distinct UK mobiles in random order, as a job's seen file holds them."""
    phones = pl.int_range(0, rows, eager=True) * 97 + 447_000_000_000
    phones.shuffle(seed=7).to_frame().write_csv(path, include_header=False)
    return path


async def timed_record(conn: asyncpg.Connection, seen: Path) -> tuple[float, int]:
    started = time.perf_counter()
    async with conn.transaction():
        added = await PhoneRepository(conn, load_queries()).record_seen(seen)
    return time.perf_counter() - started, added


async def run(url: str, rows: int, repeat: int, folder: Path) -> None:
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    if await conn.fetchval("SELECT EXISTS (SELECT FROM main_database)"):
        await conn.close()
        raise SystemExit("main_database is not empty: use a database kept for benchmarks")
    try:
        seen = kept_phones(folder / "seen.csv", rows)
        figures: dict[str, list[float]] = {"empty": [], "holding": []}
        for attempt in range(1, repeat + 1):
            for case in figures:
                seconds, added = await timed_record(conn, seen)
                figures[case].append(seconds)
                print(f"run {attempt}, {case:7} table: {seconds:6.2f} s, {added:,} added")
            await conn.execute("TRUNCATE main_database")
        for case, values in figures.items():
            median = statistics.median(values)
            print(f"median, {case:7} table: {median:6.2f} s, {rows / median:,.0f} numbers/s")
    finally:
        await conn.execute("TRUNCATE main_database")
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as folder:
        url = os.environ.get("DATABASE_URL")
        if url:
            apply_migrations(url)
            asyncio.run(run(url, args.rows, args.repeat, Path(folder)))
            return
        with embedded_postgres(Path(folder) / "pg") as url:
            apply_migrations(url)
            asyncio.run(run(url, args.rows, args.repeat, Path(folder)))


if __name__ == "__main__":
    main()
