"""Database exports: allow-listed tables, as jobs, escaped for spreadsheets."""

from __future__ import annotations

import csv
import io

import asyncpg
import httpx

from tests.jobs.test_progress_and_schedules import parse_sse


async def test_an_export_runs_as_a_job_and_downloads_escaped(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason, source) "
            "VALUES ('447400100001', 'blacklist', 'manual', '=cmd|calc', '+ops')"
        )

    started = await live.post("/process_db", params={"table_name": "blacklist"})
    assert started.status_code == 200, started.text
    body = started.json()
    assert (body["table_name"], body["status"]) == ("blacklist", "processing")
    events = parse_sse((await live.get(f"/jobs/{body['job_id']}/events", timeout=60)).text)
    assert events[-1]["event"] == "done"

    latest = (await live.post("/fetch-latest-db-export", params={"table_name": "blacklist"})).json()
    assert latest["status"] == "completed"
    assert latest["file_path"].startswith("blacklist_")
    assert "/" not in latest["file_path"]

    download = await live.get("/db-download", params={"table_name": "blacklist"})
    assert download.status_code == 200
    assert f'filename="{latest["file_path"]}"' in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert rows[0]["custom_variable_1"] == "447400100001"
    assert (rows[0]["reason"], rows[0]["source"]) == ("'=cmd|calc", "'+ops")
    by_id = await live.get("/db-download", params={"export_id": body["file_id"]})
    assert by_id.text == download.text


async def test_only_allow_listed_tables_are_exported(live: httpx.AsyncClient) -> None:
    for table in ("api_keys", 'blacklist"; DROP TABLE files; --', "pg_shadow"):
        response = await live.post("/process_db", params={"table_name": table})
        assert response.status_code == 400
        assert "cannot be exported" in response.json()["detail"]
    none = await live.post("/fetch-latest-db-export", params={"table_name": "monitor"})
    assert none.status_code == 200
    assert (none.json()["status"], none.json()["id"]) == ("none", None)
    assert (await live.get("/db-download", params={"table_name": "monitor"})).status_code == 404


async def test_exported_negative_numbers_stay_numbers(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO api_voluum_ts_sources (custom_variable_1, category, profit, roi) "
            "VALUES ('447400100001', 'BLACKLIST', -12.5, -3)"
        )
    params = {"table_name": "api_voluum_ts_sources"}
    started = (await live.post("/process_db", params=params)).json()
    await live.get(f"/jobs/{started['job_id']}/events", timeout=60)
    download = await live.get("/db-download", params={"export_id": started["file_id"]})
    [row] = list(csv.DictReader(io.StringIO(download.text)))
    assert (row["profit"], row["roi"]) == ("-12.5", "-3")
