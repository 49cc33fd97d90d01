"""`optimizer demo-data`: every outcome shows, and an operator's decision always stands."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx

from app.demo import load_demo
from app.main import load_queries
from tests.jobs.test_progress_and_schedules import parse_sse


async def _lists(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT list_name, count(*) FROM phone_lists WHERE source = 'DEMO' GROUP BY 1"
    )
    return {row[0]: row[1] for row in rows}


async def test_each_list_gets_its_own_numbers(conn: asyncpg.Connection, tmp_path: Path) -> None:
    added = await load_demo(conn, load_queries(), tmp_path / "demo.csv", 50)
    assert added == {"blacklist": 200, "monitor": 100, "whitelist": 200, "main_database": 100}
    assert await _lists(conn) == {"blacklist": 200, "monitor": 100, "whitelist": 200}
    assert (tmp_path / "demo.csv").read_bytes().count(b"\r\n") == 51


async def test_an_operators_decision_stands_and_a_second_run_adds_nothing(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    # The operator whitelisted a number the demo would blacklist, before and after it ran.
    await conn.execute(
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason, source) "
        "VALUES ('12015550105', 'whitelist', 'manual', 'customer', 'ops')"
    )
    await load_demo(conn, load_queries(), tmp_path / "demo.csv", 10)
    await conn.execute(
        "UPDATE phone_lists SET list_name = 'monitor', source = 'ops', reason = 'check' "
        "WHERE custom_variable_1 = '13125550150'"
    )
    again = await load_demo(conn, load_queries(), tmp_path / "demo.csv", 10)
    assert again == {"blacklist": 0, "monitor": 0, "whitelist": 0, "main_database": 0}
    decided = await conn.fetch(
        "SELECT custom_variable_1, list_name, reason FROM phone_lists "
        "WHERE custom_variable_1 IN ('12015550105', '13125550150') ORDER BY 1"
    )
    assert [tuple(r) for r in decided] == [
        ("12015550105", "whitelist", "customer"),
        ("13125550150", "monitor", "check"),
    ]


async def test_the_readmes_first_example_shows_every_outcome(
    live: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    sample = tmp_path / "messy_leads.csv"
    async with pool.acquire() as conn:
        await load_demo(conn, load_queries(), sample, 1000)
    upload = await live.post("/upload", files={"file": ("messy_leads.csv", sample.read_bytes())})
    file_id = upload.json()["id"]
    flags = {"include_blacklist": "true", "include_monitor": "true"}
    flags |= {"include_main_database": "true", "annotate": "true"}
    started = await live.post(f"/{file_id}/process", params=flags)
    events = parse_sse((await live.get(f"/jobs/{started.json()['job_id']}/events")).text)
    assert events[-1]["event"] == "done", events
    stats = (await live.get(f"/{file_id}/stats")).json()
    for removed in ("blacklist", "monitor", "maindatabase", "duplicates", "invalid"):
        assert stats[f"removed_{removed}"] > 0, (removed, stats)
    annotated = (await live.get(f"/{file_id}/download-annotated")).text
    for outcome in ("blacklisted", "monitored", "seen", "whitelisted", "clean"):
        assert f",{outcome}," in annotated, outcome
