"""The traffic-report sync: pages read by key name, tokens decrypted, phones normalized,
every row kept, the lists moved by OS-version evidence only where it decided."""

from __future__ import annotations

import json
import re
from typing import Any

import asyncpg
from pytest_httpx import HTTPXMock

from app.encryption.crypto import PhoneCipher
from app.jobs.kinds import JobContext
from app.runtime import Runtime
from app.settings import decode_key
from app.voluum.jobs import REPORTS
from tests.voluum.conftest import AES_KEY, VOLUUM, run_job

DAY = {"windows": [["2026-01-29T00:00:00+00:00", "2026-01-30T00:00:00+00:00"]]}
REPORT = re.compile(r".*/report\?.*")


def row(phone: str, os_version: str | None, unique: int, visits: int) -> dict[str, Any]:
    # Keys in no particular order, some absent: the sync reads by name.
    return {
        "visits": visits,
        "osVersion": os_version,
        "uniqueVisits": unique,
        "customVariable1": phone,
        "ip": "203.0.113.7",
        "browserVersion": "Mobile Safari 18",
        "costSources": ["MANUAL_UPDATE"],
        "Click2Reg": 1,
        "cost": 0.04,
    }


def page(rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {"limit": 2, "offset": 0, "totalRows": total, "rows": rows, "totals": {}}


def session(token: str) -> dict[str, Any]:
    return {"token": token, "expirationTimestamp": "2999-01-01T00:00:00Z", "inaugural": False}


async def test_a_report_sync_fills_the_traffic_table_and_the_lists(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    token = PhoneCipher(decode_key(AES_KEY)).encrypt("447400100001")
    # A manual decision that a whitelist sighting must not move.
    await conn.execute(
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason, source)"
        " VALUES ('447400100003', 'blacklist', 'manual', 'complaint', 'ops')"
    )
    # An OS-version decision that new evidence does move.
    await conn.execute(
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason)"
        " VALUES ('447400100004', 'blacklist', 'os_version', 'OS_VERSION')"
    )
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session("first"))
    httpx_mock.add_response(
        url=REPORT,
        json=page([row(token, "IOS 18.6", 3, 5), row("07400 100002", "Android 13.0", 1, 1)], 6),
    )
    # The session ends mid-sync: one re-authentication, then the same page again.
    httpx_mock.add_response(url=REPORT, status_code=401, json={"error": {"code": "UNAUTHORIZED"}})
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session("second"))
    httpx_mock.add_response(
        url=REPORT,
        json=page(
            [row("447400100003", "IOS 18.6", 1, 1), row("447400100004", "Android 10a", 1, 1)], 6
        ),
    )
    httpx_mock.add_response(
        url=REPORT,
        json=page(
            [row("{{phone}}", "IOS 18.6", 1, 1), row("447400100002", "Android 7.0", 0, 1)], 6
        ),
    )
    job = await run_job(runtime, REPORTS, DAY)

    reports = [r for r in httpx_mock.get_requests() if r.url.path == "/report"]
    assert [r.url.params["offset"] for r in reports] == ["0", "2", "2", "4"]
    assert reports[0].url.params.get_list("groupBy") == [
        "custom-variable-1", "ip", "browser-version", "os-version"
    ]  # fmt: skip
    assert reports[0].url.params["filter1Value"] == "ts-1"
    assert reports[-1].headers["cwauth-token"] == "second"

    traffic = await conn.fetch(
        "SELECT custom_variable_1, category, invalid_reason, click_2_reg, cost_sources"
        " FROM api_voluum_ts_sources WHERE job_id = $1 ORDER BY id",
        job.id,
    )
    assert [(r["custom_variable_1"], r["category"], r["invalid_reason"]) for r in traffic] == [
        ("447400100001", "WHITELIST", None),  # decrypted from its token
        ("447400100002", "WHITELIST", None),  # normalized from a national number
        ("447400100003", "WHITELIST", None),
        ("447400100004", "UNKNOWN", None),  # "Android 10a" is malformed: unknown
        ("{{phone}}", "WHITELIST", "placeholder"),  # kept, counted, on no list
        ("447400100002", "BLACKLIST", None),
    ]
    assert traffic[0]["click_2_reg"] == 1
    assert traffic[0]["cost_sources"] == "MANUAL_UPDATE"

    lists = {
        r["custom_variable_1"]: (r["list_name"], r["decided_by"], r["country_code"], r["reason"])
        for r in await conn.fetch("SELECT * FROM phone_lists")
    }
    assert lists == {
        # Three unique visits: kept (the old rule dropped it).
        "447400100001": ("whitelist", "os_version", "GB", None),
        # One row per phone: the one with the most unique visits.
        "447400100002": ("whitelist", "os_version", "GB", None),
        "447400100003": ("blacklist", "manual", None, "complaint"),
        "447400100004": ("blacklist", "os_version", None, "OS_VERSION"),
    }
    stored = "SELECT result::text FROM voluum_sync_results WHERE job_id = $1"
    result = json.loads(await conn.fetchval(stored, job.id))
    assert result["row_counts"] == {"blacklist_rows": 0, "monitor_rows": 0, "whitelist_rows": 2}
    assert result["details"]["invalid_phones"] == 1
    assert result["details"]["rows_stored"] == 6
    assert result["details"]["unknown_os_versions"] == 1


async def test_a_retried_sync_replaces_its_rows_instead_of_adding_more(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session("t"))
    httpx_mock.add_response(
        url=REPORT, json=page([row("447400100009", "Windows 10", 1, 1)], 1), is_reusable=True
    )
    job = await run_job(runtime, REPORTS, DAY)
    # The same job's handler again, as a retry after a crash would run it.
    await runtime.job_kinds[REPORTS].handler(JobContext(job, "test-worker", runtime), DAY)
    count = await conn.fetchval(
        "SELECT count(*) FROM api_voluum_ts_sources WHERE job_id = $1", job.id
    )
    assert count == 1
    listed = await conn.fetchval(
        "SELECT list_name FROM phone_lists WHERE custom_variable_1 = '447400100009'"
    )
    assert listed == "monitor"


async def test_an_older_window_synced_later_does_not_undo_newer_evidence(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session("t"))
    phone = "447400100021"
    # Dec 2: an old iOS (blacklist); then Dec 1 synced late: a new iOS (whitelist);
    # then Dec 3: the new iOS again.
    for os_version in ("IOS 9.3", "IOS 18.6", "IOS 18.6"):
        httpx_mock.add_response(url=REPORT, json=page([row(phone, os_version, 1, 1)], 1))

    def day(d: str) -> dict[str, Any]:
        return {"windows": [[f"2026-12-{d}T00:00:00+00:00", f"2026-12-{d}T23:00:00+00:00"]]}

    async def listed() -> tuple[str, str]:
        found = await conn.fetchrow(
            "SELECT list_name, evidence_until::text FROM phone_lists WHERE custom_variable_1 = $1",
            phone,
        )
        assert found is not None
        return found["list_name"], found["evidence_until"]

    await run_job(runtime, REPORTS, day("02"))
    assert await listed() == ("blacklist", "2026-12-02 23:00:00+00")
    older = await run_job(runtime, REPORTS, day("01"))
    assert await listed() == ("blacklist", "2026-12-02 23:00:00+00")
    # The older sighting is kept as traffic; it only did not move the list.
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM api_voluum_ts_sources WHERE job_id = $1", older.id
        )
        == 1
    )
    await run_job(runtime, REPORTS, day("03"))
    assert await listed() == ("whitelist", "2026-12-03 23:00:00+00")
