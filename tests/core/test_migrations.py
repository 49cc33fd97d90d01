from __future__ import annotations

import asyncpg
import pytest

from app.migrations import MIGRATIONS_DIR, apply_migrations, expected_migrations


def test_applying_twice_applies_nothing_the_second_time(database_url: str) -> None:
    assert apply_migrations(database_url) == []


async def test_the_database_carries_every_migration_file(conn: asyncpg.Connection) -> None:
    applied = {
        r["migration_id"] for r in await conn.fetch("SELECT migration_id FROM _yoyo_migration")
    }
    assert expected_migrations() <= applied


async def test_rollbacks_undo_and_the_files_replay_with_plain_sql(conn: asyncpg.Connection) -> None:
    # What psql would do with the files, inside the test's transaction (rolled back after).
    ids = sorted(expected_migrations())
    async with conn.transaction():
        for migration_id in reversed(ids):
            await conn.execute((MIGRATIONS_DIR / f"{migration_id}.rollback.sql").read_text())
        assert await conn.fetchval("SELECT to_regclass('phone_lists')") is None
        for migration_id in ids:
            await conn.execute((MIGRATIONS_DIR / f"{migration_id}.sql").read_text())
        assert await conn.fetchval("SELECT to_regclass('phone_lists')") is not None


async def test_a_number_sits_on_one_list_only(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by) "
        "VALUES ('447400100001', 'blacklist', 'manual')"
    )
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute(
            "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by) "
            "VALUES ('447400100001', 'whitelist', 'os_version')"
        )


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by) "
        "VALUES ('+44 7400 100001', 'blacklist', 'manual')",
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by) "
        "VALUES ('447400100001', 'greylist', 'manual')",
        "INSERT INTO files (kind, original_filename, status) VALUES ('cleaning', 'a.csv', 'done')",
        "INSERT INTO csv_jobs (original_filename, lower_limit, upper_limit) VALUES ('a', 5, 2)",
        "INSERT INTO csv_jobs (original_filename, interval_seconds) VALUES ('a', 59)",
    ],
)
async def test_check_constraints_refuse_bad_rows(conn: asyncpg.Connection, statement: str) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        async with conn.transaction():
            await conn.execute(statement)


async def test_the_legacy_list_names_read_the_one_table(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason) "
        "VALUES ('447400100001', 'blacklist', 'manual', 'fraud'), "
        "('447400100002', 'whitelist', 'os_version', NULL)"
    )
    assert await conn.fetchval("SELECT reason FROM blacklist") == "fraud"
    assert await conn.fetchval("SELECT custom_variable_1 FROM whitelist") == "447400100002"
    assert await conn.fetchval("SELECT count(*) FROM monitor") == 0


async def test_conversions_without_a_transaction_id_still_collide(conn: asyncpg.Connection) -> None:
    insert = (
        "INSERT INTO api_voluum_conversions (click_id, conversion_type) VALUES ('c1', 'REG') "
        "ON CONFLICT ON CONSTRAINT api_voluum_conversions_natural_key DO NOTHING"
    )
    assert await conn.execute(insert) == "INSERT 0 1"
    assert await conn.execute(insert) == "INSERT 0 0"
