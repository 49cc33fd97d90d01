"""Benchmark: import 1M numbers onto a list through the real manual-import path.

    .venv/bin/python scripts/bench_import.py [--rows 1000000]

Uses DATABASE_URL, else a throwaway embedded PostgreSQL. Times `ImportService.run`
(polars parse and normalize, COPY into staging, one upsert, the result file) and prints
rows/s. The numbers are deleted again afterwards.
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


async def run(url: str, rows: int, folder: Path) -> None:
    source = folder / "import.csv"
    phones = pl.int_range(447_000_000_000, 447_000_000_000 + rows, eager=True).cast(pl.String)
    pl.DataFrame({"phone": phones, "reason": "bench", "source": "BENCH"}).write_csv(source)
    storage = LocalStorage(folder / "storage")
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    sql = load_queries()
    try:
        stored = await store_upload(storage, "manual_import", "bench.csv", _chunks(source))
        service = ImportService(ImportRepository(conn, sql), FileRepository(conn, sql), storage)
        started = time.perf_counter()
        outcome = await service.run(
            stored, target="blacklist", required=("phone", "reason", "source"), default_code="44"
        )
        seconds = time.perf_counter() - started
        print(f"imported {outcome.accepted:,} of {outcome.uploaded:,} numbers onto the blacklist")
        print(f"import: {seconds:.2f} s, {outcome.uploaded / seconds:,.0f} rows/s")
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
