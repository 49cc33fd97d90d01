"""Recording kept numbers in main_database: each once, none lost, writers side by side."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from app.phones.repository import PhoneRepository
from app.sql import SqlQueries


def _numbers_file(path: Path, numbers: range | list[int]) -> Path:
    path.write_text("".join(f"{n}\n" for n in numbers))
    return path


async def test_only_new_numbers_are_added_each_once(
    conn: asyncpg.Connection, sql: SqlQueries, tmp_path: Path
) -> None:
    await conn.execute("INSERT INTO main_database (custom_variable_1) VALUES ('447700920001')")
    phones = PhoneRepository(conn, sql)
    numbers = [447700920003, 447700920001, 17005550100, 447700920003, 447700920002]
    assert await phones.record_seen(_numbers_file(tmp_path / "a.csv", numbers)) == 3
    # Once more in the same transaction: the staging of the first call is not seen again.
    assert await phones.record_seen(_numbers_file(tmp_path / "b.csv", [447700920004])) == 1
    assert await phones.record_seen(_numbers_file(tmp_path / "none.csv", [])) == 0
    stored = await conn.fetch("SELECT custom_variable_1 FROM main_database ORDER BY 1")
    assert [r[0] for r in stored] == [
        "17005550100",
        "447700920001",
        "447700920002",
        "447700920003",
        "447700920004",
    ]


async def test_two_writers_of_overlapping_numbers_lose_none_and_never_conflict(
    pool: asyncpg.Pool, sql: SqlQueries, tmp_path: Path
) -> None:
    first = _numbers_file(tmp_path / "first.csv", range(447700930000, 447700930600))
    second = _numbers_file(tmp_path / "second.csv", range(447700930300, 447700930900))

    async def record(path: Path) -> int:
        async with pool.acquire() as conn, conn.transaction():
            added = await PhoneRepository(conn, sql).record_seen(path)
            # Still uncommitted while the other writer works on the same numbers.
            await asyncio.sleep(0.3)
            return added

    try:
        added = await asyncio.gather(record(first), record(second))
        async with pool.acquire() as conn:
            stored = await conn.fetchval(
                "SELECT count(*) FROM main_database "
                "WHERE custom_variable_1 BETWEEN '447700930000' AND '447700930899'"
            )
        assert (sum(added), stored) == (900, 900)
    finally:
        async with pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM main_database "
                "WHERE custom_variable_1 BETWEEN '447700930000' AND '447700930899'"
            )


async def test_the_insert_never_scans_the_table_it_fills(
    conn: asyncpg.Connection, sql: SqlQueries
) -> None:
    # Joined inside the INSERT, main_database (empty, as analyzed before a first run) was
    # scanned once per staged phone while the INSERT filled it: 35 minutes for 3M.
    await conn.execute(sql.get("phones", "create_phone_staging").sql)
    await conn.execute("ANALYZE main_database")
    plan = await conn.fetch("EXPLAIN " + sql.get("phones", "insert_seen_phones").sql)
    assert not [row[0] for row in plan if "Scan on main_database" in row[0]]
