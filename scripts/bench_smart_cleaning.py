"""Benchmark: smart cleaning of 1M numbers through the real code path.

    .venv/bin/python scripts/bench_smart_cleaning.py [--numbers 1000000] [--repeat 3]

Uses DATABASE_URL, else a throwaway embedded PostgreSQL, seeded once with 1M GB
whitelist clickers, 1M conversions (FTDs and REGs of the clickers on the chosen offer in
GB, FTDs of clickers in DE, which must not count, and conversions on another offer) and
200k live events of the last day (10% link tokens; half in the raw table). Then, each
repeat: `find` (the clickers COPY'd into a stored file with the country's offers), and
the job on it with both filters (`prepare`: the conversions and live events, one COPY
each; `compute`: decrypting, normalizing and the one polars pass) and on a 1M-row
three-column upload (its phone column detected, each number in its own country). Prints
each run and the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.tokens import SigningSecret  # noqa: E402
from app.clients import Clients  # noqa: E402
from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.encryption.crypto import PhoneCipher  # noqa: E402
from app.files.jobs import FileRun  # noqa: E402
from app.files.repository import FileRepository  # noqa: E402
from app.files.service import store_upload  # noqa: E402
from app.jobs.events import JobEvents  # noqa: E402
from app.main import load_queries  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.offer_search.window import Search  # noqa: E402
from app.phones.normalize import compile_plans  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.settings import load_settings  # noqa: E402
from app.smart_cleaning.controller import smart_cleaning_service  # noqa: E402
from app.smart_cleaning.jobs import KIND, SMART_CLEANING_JOB  # noqa: E402
from app.storage import LocalStorage  # noqa: E402

KEY = bytes(range(32))
BASE = 447_400_000_000
OPTIONS = {"offers": ["Offer A"], "filter_regs": True, "filter_last_24h": True}


class Pool:
    """The runtime's connection source: one pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def acquire(self, *, timeout: float | None = None) -> Any:
        return self._pool.acquire(timeout=timeout)


async def _copy(conn: asyncpg.Connection, table: str, frame: pl.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    buffer.seek(0)
    await conn.copy_to_table(table, source=buffer, columns=frame.columns, format="csv")


async def seed(conn: asyncpg.Connection, numbers: int) -> None:
    now = datetime.now(UTC)
    phones = pl.int_range(BASE, BASE + numbers, eager=True)
    listed = pl.datetime_range(
        datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 1, 12, 23, tzinfo=UTC), "1s", eager=True
    )
    await _copy(
        conn,
        "phone_lists",
        pl.DataFrame({"custom_variable_1": phones.cast(pl.String)}).with_columns(
            list_name=pl.lit("whitelist"),
            decided_by=pl.lit("os_version"),
            country_code=pl.lit("GB"),
            timestamp_created=listed.sample(numbers, with_replacement=True, seed=1)
            .sort()
            .dt.strftime("%Y-%m-%d %H:%M:%S+00"),
        ),
    )
    # Of the clickers: the first 30% deposited in GB and the next 20% registered there (both
    # removed), 20% of those kept deposited in DE (which does not count here), and 30%
    # deposited on offer B; then live events for the 20% after the REGs (removed).
    share = [("FTD", "GB", "Offer A", 0.0, 0.3), ("REG", "GB", "Offer A", 0.3, 0.2)]
    share += [("FTD", "DE", "Offer A", 0.7, 0.2), ("FTD", "GB", "Offer B", 0.0, 0.3)]
    frames = []
    for kind, country, offer, first, part in share:
        start, count = int(numbers * first), int(numbers * part)
        frames.append(
            pl.DataFrame(
                {
                    "click_id": [f"{kind}-{country}-{offer}-{i}" for i in range(count)],
                    "custom_variable_1": phones.slice(start, count).cast(pl.String),
                }
            ).with_columns(
                conversion_type=pl.lit(kind),
                country_code=pl.lit(country),
                offer_name=pl.lit(offer),
                offer_id=pl.lit("o-a" if offer == "Offer A" else "o-b"),
                postback_timestamp=pl.lit("2026-01-11 12:00:00+00"),
            )
        )
    await _copy(conn, "api_voluum_conversions", pl.concat(frames))
    await conn.execute("INSERT INTO voluum_offers (offer_id, offer_name) VALUES ('o-a', 'Offer A')")
    recent = phones.slice(numbers // 2, numbers // 5).cast(pl.String).to_list()
    cipher = PhoneCipher(KEY)
    values = [cipher.encrypt(p) if i % 10 == 0 else p for i, p in enumerate(recent)]
    half = len(values) // 2
    at = (now - timedelta(hours=2)).isoformat()
    await _copy(
        conn,
        "voluum_live_events",
        pl.DataFrame({"custom_variable_1": values[:half]}).with_columns(
            offer_id=pl.lit("o-a"), timestamp=pl.lit(at)
        ),
    )
    await conn.copy_records_to_table(
        "raw_live_voluum_sns_data",
        records=[
            (f"m{i}:0", "o-a", now - timedelta(hours=1), [v]) for i, v in enumerate(values[half:])
        ],
        columns=["idempotency_key", "offer_id", "timestamp", "custom_variables"],
    )
    await conn.execute("ANALYZE")


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            yield chunk


async def _job(runtime: Runtime, file_id: Any, folder: Path) -> tuple[float, float, str]:
    """The job's prepare and compute on one file; their seconds and its message."""
    async with runtime.connections.acquire() as conn:
        record = await FileRepository(conn, runtime.queries).get(KIND, file_id)
        await conn.execute(
            "UPDATE offer_searches SET selected_offers = $1 WHERE file_id = $2",
            OPTIONS["offers"],
            file_id,
        )
    assert record is not None
    assert record.raw_key is not None
    async with runtime.storage.local_copy(record.raw_key) as source:
        run = FileRun(record, OPTIONS, source, folder, runtime)
        started = time.perf_counter()
        prepared = await SMART_CLEANING_JOB.prepare(run)
        prepared_at = time.perf_counter()
        result = await asyncio.to_thread(SMART_CLEANING_JOB.compute, run, prepared)
        done = time.perf_counter()
    return prepared_at - started, done - prepared_at, result.message


async def run(url: str, numbers: int, repeat: int, folder: Path) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": url,
            "UPLOAD_ROOT": str(folder / "storage"),
            "AES_KEY": base64.urlsafe_b64encode(KEY).decode(),
        }
    )
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4, init=init_connection)
    runtime = Runtime(
        settings=settings,
        queries=load_queries(),
        connections=Pool(pool),
        storage=LocalStorage(settings.storage.upload_root),
        clients=Clients(),
        signing_secret=SigningSecret(),
        job_events=JobEvents(),
    )
    compile_plans()
    async with pool.acquire() as conn:
        started = time.perf_counter()
        await seed(conn, numbers)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    upload = folder / "upload.csv"
    phones = pl.int_range(BASE, BASE + numbers, eager=True).cast(pl.String)
    pl.DataFrame({"name": "someone", "phone": "+" + phones, "city": "London"}).write_csv(upload)
    figures: dict[str, list[float]] = {}
    for attempt in range(repeat):
        async with pool.acquire() as conn:
            service = smart_cleaning_service(conn, runtime)
            started = time.perf_counter()
            found = await service.find(Search("GB"))
            find = time.perf_counter() - started
            stored = await store_upload(runtime.storage, KIND, "bench.csv", _chunks(upload))
            offers = await service.upload_offers()
            uploaded = await service.record_upload(stored, offers)
        prepare, compute, message = await _job(runtime, found.id, folder)
        up_prepare, up_compute, up_message = await _job(runtime, uploaded.id, folder)
        runs = {
            "find": find,
            "found: prepare": prepare,
            "found: compute": compute,
            "found: job": prepare + compute,
            "upload: prepare": up_prepare,
            "upload: compute": up_compute,
            "upload: job": up_prepare + up_compute,
        }
        for name, seconds in runs.items():
            figures.setdefault(name, []).append(seconds)
        print(
            f"run {attempt + 1}: "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in runs.items())
        )
        print(f"  found file ({found.record_count_total:,} clickers): {message}")
        print(f"  upload: {up_message}")
    print("medians: " + ", ".join(f"{n} {statistics.median(s):.2f} s" for n, s in figures.items()))
    await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as folder:
        url = os.environ.get("DATABASE_URL")
        if url:
            apply_migrations(url)
            asyncio.run(run(url, args.numbers, args.repeat, Path(folder)))
            return
        with embedded_postgres(Path(folder) / "pg") as url:
            apply_migrations(url)
            asyncio.run(run(url, args.numbers, args.repeat, Path(folder)))


if __name__ == "__main__":
    main()
