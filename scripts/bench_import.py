"""Benchmark: import 1M numbers onto a list through the real manual-import path.

    .venv/bin/python scripts/bench_import.py [--rows 1000000]

Uses DATABASE_URL, else a throwaway embedded PostgreSQL. Times `ImportService.run`
(polars parse and normalize, COPY into staging, one upsert, the result file) twice: onto
an empty list, then a second file of as many numbers onto the list now holding the first,
half of it overlapping; prints both. The numbers are deleted again afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
from app.files.repository import FileRepository  # noqa: E402
from app.files.service import store_upload  # noqa: E402
from app.imports.repository import ImportRepository  # noqa: E402
from app.imports.service import ImportService  # noqa: E402
from app.main import load_queries  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.storage import LocalStorage  # noqa: E402


async def _chunks(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            yield chunk


def _numbers(path: Path, first: int, rows: int) -> None:
    """`rows` GB mobiles from 07400 000000 + `first` (all valid by the numbering plan)."""
    base = 447_400_000_000 + first
    phones = pl.int_range(base, base + rows, eager=True).cast(pl.String)
    pl.DataFrame({"phone": phones, "reason": "bench", "source": "BENCH"}).write_csv(path)


async def _timed_import(service: ImportService, storage: LocalStorage, path: Path) -> None:
    stored = await store_upload(storage, "manual_import", "bench.csv", _chunks(path))
    started = time.perf_counter()
    outcome = await service.run(
        stored, target="blacklist", required=("phone", "reason", "source"), default_code="44"
    )
    seconds = time.perf_counter() - started
    print(
        f"  {outcome.accepted:,} of {outcome.uploaded:,} numbers added: {seconds:.2f} s,"
        f" {outcome.uploaded / seconds:,.0f} rows/s"
    )


async def run(url: str, rows: int, folder: Path) -> None:
    first, second = folder / "first.csv", folder / "second.csv"
    _numbers(first, 0, rows)
    _numbers(second, rows // 2, rows)  # half of it is on the list already
    storage = LocalStorage(folder / "storage")
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    sql = load_queries()
    try:
        service = ImportService(ImportRepository(conn, sql), FileRepository(conn, sql), storage)
        print(f"import of {rows:,} numbers onto an empty blacklist:")
        await _timed_import(service, storage, first)
        print(f"import of {rows:,} more onto that list, half of them on it already:")
        await _timed_import(service, storage, second)
    finally:
        await conn.execute("DELETE FROM phone_lists WHERE source = 'BENCH'")
        await conn.execute("DELETE FROM files WHERE original_filename = 'bench.csv'")
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as folder:
        url = os.environ.get("DATABASE_URL")
        if url:
            apply_migrations(url)
            asyncio.run(run(url, args.rows, Path(folder)))
            return
        with embedded_postgres(Path(folder) / "pg") as url:
            apply_migrations(url)
            asyncio.run(run(url, args.rows, Path(folder)))


if __name__ == "__main__":
    main()
