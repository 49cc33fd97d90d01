"""The conversions sync: stored once, 12-hour timestamps in the request's zone, and each
conversion's own Ongage outcome; failed pushes retried by the schedule, never doubled."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from pytest_httpx import HTTPXMock

from app.runtime import Runtime
from app.settings import VoluumSyncSettings
from app.voluum.conversions import conversion_rows
from app.voluum.jobs import CONVERSIONS
from tests.clients.ongage_answers import contacts_answer
from tests.voluum.conftest import ONGAGE, VOLUUM, run_job

FIXTURE = json.loads(Path("/work/shared/fixtures/voluum/conversion_row.json").read_text())
CONVERSIONS_URL = re.compile(r".*/report/conversions\?.*")
CONTACTS = f"{ONGAGE}/12345/api/v2/contacts/"
RESULT = "SELECT result::text FROM voluum_sync_results WHERE job_id = $1"
DAY = {"windows": [["2026-01-29T00:00:00+00:00", "2026-01-30T00:00:00+00:00"]]}


def conversion(click: str, phone: str, **changes: Any) -> dict[str, Any]:
    return {**FIXTURE, "clickId": click, "customVariable1": phone, **changes}


def page(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"limit": 2, "offset": 0, "totalRows": len(rows), "rows": rows, "totals": {}}


def session() -> dict[str, Any]:
    return {"token": "t", "expirationTimestamp": "2999-01-01T00:00:00Z", "inaugural": False}


ROWS = [
    conversion("click-ftd", "447400100001"),
    # No transaction id: still one conversion, stored once.
    conversion("click-reg", "07400 100002", conversionType="REG", transactionId=""),
]
MORE = [
    conversion("click-de", "4915123456701", countryCode="DE"),
    conversion("click-bad", "{{phoneNumber}}"),
]


def partial_answer() -> dict[str, Any]:
    """Ongage's 412: one contact created, one refused."""
    return {
        "metadata": {"error": True},
        "payload": {
            "rows": 2,
            "success": 1,
            "failed": 1,
            "created": 1,
            "created_emails": {"+447400100001@yourmobile.com": "6949025e44bb030bad8b4568"},
            "updated_emails": [],
            "revived_emails": [],
            "failed_emails": {"+447400100002@yourmobile.com": "Email already exists"},
            "code": 412,
            "message": "1 contacts out of 2 have failed",
        },
    }


async def stored(conn: asyncpg.Connection) -> dict[str, tuple[Any, ...]]:
    rows = await conn.fetch(
        "SELECT click_id, transaction_id, custom_variable_1, country_code, source,"
        " push_status, push_reason, processed, retry_count, error_message"
        " FROM api_voluum_conversions"
    )
    return {r["click_id"]: tuple(r)[1:] for r in rows}


async def test_conversions_are_stored_once_and_pushed_contact_by_contact(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS) | {"totalRows": 4})
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(MORE) | {"totalRows": 4})
    httpx_mock.add_response(url=CONTACTS, method="POST", status_code=412, json=partial_answer())
    job = await run_job(runtime, CONVERSIONS, DAY)

    query = next(r for r in httpx_mock.get_requests() if r.url.path == "/report/conversions")
    assert query.url.params["conversionTimeMode"] == "CONVERSION"
    assert "clickId" in query.url.params.get_list("column")
    posts = [r for r in httpx_mock.get_requests() if r.url.host == "ongage.test"]
    sent = json.loads(posts[0].content)
    assert sorted(c["email"] for c in sent) == [
        "+447400100001@yourmobile.com",
        "+447400100002@yourmobile.com",
    ]
    assert all(c["overwrite"] is True for c in sent)
    ftd = next(c for c in sent if c["fields"]["click_id"] == "click-ftd")["fields"]
    assert ftd["is_ftd"] == "true"
    assert ftd["revenue"] == 25.0
    assert ftd["conversion_date"] == "2026-01-29 09:31:40"

    assert await stored(conn) == {
        "click-ftd": (
            "TX-1001", "447400100001", "GB", "GB_FTD", "pushed", "created", True, 0, None,
        ),
        "click-reg": (
            None, "447400100002", "GB", "GB_REG", "failed", "Email already exists", False, 1,
            "ONGAGE_INSERTION_FAILED",
        ),
        "click-de": (
            "TX-1001", "4915123456701", "DE", "DE_FTD", "skipped", "country not pushed: DE",
            False, 0, None,
        ),
        "click-bad": (
            "TX-1001", "{{phoneNumber}}", "GB", "GB_FTD", "skipped", "invalid phone: placeholder",
            False, 0, "INVALID_PHONE_NUMBER",
        ),
    }  # fmt: skip
    result = json.loads(await conn.fetchval(RESULT, job.id))
    # This sync's contacts, each counted once.
    assert result["row_counts"] == {"successful_rows": 1, "unsuccessful_rows": 1}
    assert result["details"]["conversions_new"] == 4
    assert await conn.fetchval("SELECT offer_name FROM voluum_offers") == "Brand X UK"

    # The same window again: nothing new, nothing pushed again.
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS) | {"totalRows": 4})
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(MORE) | {"totalRows": 4})
    again = await run_job(runtime, CONVERSIONS, DAY)
    posts = [r for r in httpx_mock.get_requests() if r.url.host == "ongage.test"]
    assert len(posts) == 1
    assert await conn.fetchval("SELECT count(*) FROM api_voluum_conversions") == 4
    second = json.loads(await conn.fetchval(RESULT, again.id))
    assert second["row_counts"] == {"successful_rows": 0, "unsuccessful_rows": 0}

    # The schedule retries the failed contact once, from its watermark.
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    updated = {"payload": {"updated_emails": {"+447400100002@yourmobile.com": "id-2"}}}
    httpx_mock.add_response(url=CONTACTS, method="POST", json=updated)
    await run_job(runtime, CONVERSIONS, {"scheduled": True})
    retried = [r for r in httpx_mock.get_requests() if r.url.host == "ongage.test"][-1]
    assert [c["email"] for c in json.loads(retried.content)] == ["+447400100002@yourmobile.com"]
    assert (await stored(conn))["click-reg"][4:7] == ("pushed", "updated", True)
    assert await conn.fetchval(
        "SELECT synced_until FROM voluum_sync_watermarks WHERE name = 'conversions'"
    )


async def test_an_ongage_failure_leaves_the_batch_failed_for_the_schedule(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS[:1]))
    # A 500 after sending: Ongage may have applied it, so it is not retried blindly.
    httpx_mock.add_response(url=CONTACTS, method="POST", status_code=500)
    await run_job(runtime, CONVERSIONS, DAY)
    assert len([r for r in httpx_mock.get_requests() if r.url.host == "ongage.test"]) == 1
    status, reason = (await stored(conn))["click-ftd"][4:6]
    assert status == "failed"
    assert "500" in reason


async def test_a_number_that_converted_twice_is_one_contact(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    both = [
        conversion("click-reg", "447400100001", conversionType="REG", transactionId="T1"),
        conversion("click-ftd", "447400100001", transactionId="T2"),
    ]
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(both))
    _, answer = contacts_answer({"+447400100001@yourmobile.com": "c1"}, {})
    httpx_mock.add_response(url=CONTACTS, method="POST", json=answer)
    await run_job(runtime, CONVERSIONS, DAY)
    (request,) = [r for r in httpx_mock.get_requests() if r.url.host == "ongage.test"]
    assert [c["email"] for c in json.loads(request.content)] == ["+447400100001@yourmobile.com"]
    rows = await stored(conn)
    assert rows["click-reg"][4] == rows["click-ftd"][4] == "pushed"


def test_twelve_hour_timestamps_are_read_in_the_requests_zone() -> None:
    rows = [
        conversion("a", "447400100001", postbackTimestamp="2026-07-01 12:05:00 AM"),
        conversion("b", "447400100001", postbackTimestamp="2026-07-01 12:05:00 PM"),
        conversion("c", "447400100001", postbackTimestamp="yesterday"),
    ]
    frame = conversion_rows(
        msgspec.json.encode(rows),
        tz="America/New_York",
        sync=VoluumSyncSettings(),
        cipher=None,
        default_code="44",
    )
    assert frame["postback_timestamp"].to_list() == [
        datetime(2026, 7, 1, 4, 5, tzinfo=UTC),
        datetime(2026, 7, 1, 16, 5, tzinfo=UTC),
        None,
    ]


async def test_names_are_looked_up_for_ids_seen_lately_without_one(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    await conn.execute(
        'INSERT INTO voluum_live_events (custom_variable_1, offer_id, campaign_id, "timestamp")'
        " VALUES ('447400100001', 'offer-new', '00000000-0000-0000-0000-000000000000', now())"
    )
    await conn.execute(
        "INSERT INTO voluum_offers (offer_id, offer_name) VALUES ('offer-known', 'Known')"
    )
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    httpx_mock.add_response(
        url=f"{VOLUUM}/offer/offer-new", json={"id": "offer-new", "name": "New"}
    )
    await run_job(runtime, CONVERSIONS, DAY)
    names = dict(await conn.fetch("SELECT offer_id, offer_name FROM voluum_offers"))
    assert names == {"offer-known": "Known", "offer-new": "New"}
    # The zero id is no campaign: nothing was asked about it.
    assert not [r for r in httpx_mock.get_requests() if r.url.path.startswith("/campaign")]


async def test_failing_name_lookups_neither_fail_the_sync_nor_repeat_every_tick(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    # Ids from SQS data: one Voluum refuses, one it fails on, one that is no path segment
    # at all, and one with characters that must not leave its segment.
    await conn.execute(
        'INSERT INTO voluum_live_events (custom_variable_1, offer_id, campaign_id, "timestamp")'
        " VALUES ('447400100003', 'offer-403', 'camp-500', now()),"
        "        ('447400100004', '..', 'camp/x?y#z', now())"
    )
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS[:1]))
    httpx_mock.add_response(url=f"{VOLUUM}/offer/offer-403", status_code=403)
    httpx_mock.add_response(url=f"{VOLUUM}/campaign/camp-500", status_code=500, is_reusable=True)
    httpx_mock.add_response(
        url=f"{VOLUUM}/campaign/camp%2Fx%3Fy%23z", json={"id": "camp/x?y#z", "name": "Odd"}
    )
    created = {"payload": {"created_emails": {"+447400100001@yourmobile.com": "id-1"}}}
    httpx_mock.add_response(url=CONTACTS, method="POST", json=created)
    job = await run_job(runtime, CONVERSIONS, {"scheduled": True})

    # The conversions were pushed and the watermark moved, whatever Voluum said of names.
    assert (await stored(conn))["click-ftd"][4] == "pushed"
    assert json.loads(await conn.fetchval(RESULT, job.id))["row_counts"]["successful_rows"] == 1
    assert await conn.fetchval("SELECT count(*) FROM voluum_sync_watermarks") == 1
    lookups = [
        r.url.raw_path
        for r in httpx_mock.get_requests()
        if r.url.path.startswith(("/offer", "/campaign"))
    ]
    # 5xx retried by the client (3 attempts here); the odd id stayed one segment.
    assert sorted(lookups) == sorted(
        [b"/offer/offer-403", *[b"/campaign/camp-500"] * 3, b"/campaign/camp%2Fx%3Fy%23z"]
    )
    assert (
        await conn.fetchval(
            "SELECT campaign_name FROM voluum_campaigns WHERE campaign_id = 'camp/x?y#z'"
        )
        == "Odd"
    )
    failures = await conn.fetch("SELECT kind, entity_id FROM voluum_name_failures ORDER BY 2")
    assert [tuple(f) for f in failures] == [
        ("offer", ".."), ("campaign", "camp-500"), ("offer", "offer-403"),
    ]  # fmt: skip

    # The next tick asks nothing again: the failed ids rest for a while.
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    await run_job(runtime, CONVERSIONS, {"scheduled": True})
    again = [r for r in httpx_mock.get_requests() if r.url.path.startswith(("/offer", "/campaign"))]
    assert len(again) == len(lookups)


async def test_name_lookups_stop_for_the_tick_when_voluum_keeps_failing(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    await conn.execute(
        'INSERT INTO voluum_live_events (custom_variable_1, offer_id, campaign_id, "timestamp")'
        " SELECT '4474001000' || n, 'offer-' || n, '', now() FROM generate_series(1, 6) AS n"
    )
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    httpx_mock.add_response(
        url=re.compile(rf"{VOLUUM}/offer/.*"), status_code=503, is_reusable=True
    )
    await run_job(runtime, CONVERSIONS, DAY)
    asked = {r.url.path for r in httpx_mock.get_requests() if r.url.path.startswith("/offer")}
    # Five failures in a row: Voluum is down, the sixth id waits for a later tick.
    assert asked == {f"/offer/offer-{n}" for n in range(1, 6)}
    assert await conn.fetchval("SELECT count(*) FROM voluum_name_failures") == 5
