"""The pool hands connections back without asyncpg's reset query (app/db.py keep_session):
that holds only while nothing the service runs leaves session state behind."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from app.db import create_pool
from app.settings import Settings
from app.sql import SQL_DIR

# What would outlive a statement's transaction on a pooled connection.
SESSION_STATE = {
    # One statement per file: a SET is a statement of its own, an UPDATE's SET is not.
    "a session setting": re.compile(r"\A\s*(?:SET|RESET)\b(?!\s+LOCAL\b)", re.I),
    "a set_config call": re.compile(r"\bset_config\s*\(", re.I),
    "a LISTEN": re.compile(r"\bLISTEN\b", re.I),
    "a session advisory lock": re.compile(r"\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(", re.I),
    "a cursor held past its transaction": re.compile(r"\bWITH\s+HOLD\b", re.I),
}


def _statement(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


@pytest.mark.parametrize("path", sorted(SQL_DIR.rglob("*.sql")), ids=lambda p: p.stem)
def test_no_query_leaves_session_state_on_its_connection(path: Path) -> None:
    text = _statement(path.read_text())
    found = [what for what, pattern in SESSION_STATE.items() if pattern.search(text)]
    assert found == []


def test_the_check_would_see_session_state() -> None:
    for text in ("SET search_path = x", "select set_config('a', 'b', false)", "LISTEN x"):
        assert any(p.search(text) for p in SESSION_STATE.values()), text
    assert not any(p.search("UPDATE t\nSET a = 1") for p in SESSION_STATE.values())
    assert not any(p.search("SET LOCAL lock_timeout = 1") for p in SESSION_STATE.values())


async def test_a_transaction_left_open_is_still_rolled_back_on_release(
    settings: Settings,
) -> None:
    pool = await create_pool(dataclasses.replace(settings.database, pool_min=1, pool_max=1))
    try:
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            await conn.execute("CREATE TEMPORARY TABLE left_open (x int)")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            found = await conn.fetchval("SELECT to_regclass('pg_temp.left_open')")
            assert found is None  # its transaction was rolled back
    finally:
        await pool.close()
