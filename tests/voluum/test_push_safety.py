"""The conversion push reaches real people: a contact is pushed by one run at a time,
only contacts meant to be pushed are, and a refused password drains nobody's retries."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.clients.ongage import OngageClient, OngagePolicy
from app.jobs.kinds import JobFailedError
from app.jobs.schemas import Job
from app.runtime import Runtime
from app.voluum.jobs import CONVERSIONS
from app.voluum.push import claim_lifetime
from tests.voluum.conftest import VOLUUM, run_job
from tests.voluum.test_conversions_sync import (
    CONTACTS,
    CONVERSIONS_URL,
    DAY,
    RESULT,
    ROWS,
    page,
    session,
)

# Ongage's attempts and longest wait (what the claim's lifetime is derived from), but a
# first wait of a millisecond: the test does not wait out the minutes.
ONGAGE_LIKE = OngagePolicy(
    rate_per_second=1000.0,
    max_attempts=6,
    backoff_base_seconds=0.001,
    backoff_cap_seconds=960.0,
)
# Read at import, before the autouse fixture swaps in the fast test policy.
REAL_POLICY = OngageClient.policy
EMAIL = "+447400100001@yourmobile.com"
CLAIMED = "SELECT push_status, push_reason, retry_count FROM api_voluum_conversions"


@pytest.fixture
def ongage_like(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OngageClient, "policy", ONGAGE_LIKE)


def ongage_posts(httpx_mock: HTTPXMock) -> list[httpx.Request]:
    return [r for r in httpx_mock.get_requests() if r.url.host == "ongage.test"]


def created(email: str) -> dict[str, Any]:
    return {"payload": {"created_emails": {email: "id-1"}}}


async def result_of(conn: asyncpg.Connection, job: Job) -> dict[str, int]:
    counts: dict[str, int] = json.loads(await conn.fetchval(RESULT, job.id))["row_counts"]
    return counts


def test_a_claim_outlives_the_longest_push_ongage_can_keep_waiting() -> None:
    # Five 429 waits at Ongage's cap (a Retry-After is capped there too) and six attempts
    # to their timeouts: well within the lifetime, unlike the old 30 minutes.
    longest = 5 * 960 * 1.05 + 6 * (5 + 30 + 30 + 30)
    assert claim_lifetime(REAL_POLICY) >= 2 * longest


async def test_a_push_waiting_out_429s_past_the_old_window_is_not_resent(
    ongage_like: None, runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS[:1]))
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    second: list[Job] = []

    async def too_many_requests(request: httpx.Request) -> httpx.Response:
        # 32 minutes into the 429 backoff (Ongage's five waits add up to 31), the
        # schedule's next tick runs while this push is still waiting.
        await conn.execute(
            "UPDATE api_voluum_conversions SET push_claimed_at = now() - interval '32 minutes'"
            " WHERE push_status = 'pushing'"
        )
        second.append(await run_job(runtime, CONVERSIONS, {"scheduled": True}))
        return httpx.Response(429, json={"payload": {"message": "slow down"}})

    httpx_mock.add_callback(too_many_requests, url=CONTACTS, method="POST")
    httpx_mock.add_response(url=CONTACTS, method="POST", json=created(EMAIL))
    first = await run_job(runtime, CONVERSIONS, DAY)

    # The 429 and its retry: the tick in between sent nothing.
    assert len(ongage_posts(httpx_mock)) == 2
    assert tuple(await conn.fetchrow(CLAIMED)) == ("pushed", "created", 0)
    # The late answer is the first run's, recorded and counted once.
    assert await result_of(conn, first) == {"successful_rows": 1, "unsuccessful_rows": 0}
    assert await result_of(conn, second[0]) == {"successful_rows": 0, "unsuccessful_rows": 0}


async def test_a_run_whose_claim_was_taken_over_records_nothing(
    ongage_like: None, runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS[:1]))
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    taken_over, first_done = asyncio.Event(), asyncio.Event()
    ticks: list[asyncio.Task[Job]] = []

    async def too_many_requests(request: httpx.Request) -> httpx.Response:
        # Held far past any push's lifetime: the first run counts as dead, and the next
        # tick takes its rows over.
        await conn.execute(
            "UPDATE api_voluum_conversions SET push_claimed_at = now() - interval '1 day'"
            " WHERE push_status = 'pushing'"
        )
        ticks.append(asyncio.create_task(run_job(runtime, CONVERSIONS, {"scheduled": True})))
        await taken_over.wait()
        return httpx.Response(429, json={"payload": {"message": "slow down"}})

    async def pushed_after_the_first_run_ended(request: httpx.Request) -> httpx.Response:
        # The tick holds the rows while the first run's late answer comes in.
        taken_over.set()
        await first_done.wait()
        return httpx.Response(200, json=created(EMAIL))

    httpx_mock.add_callback(too_many_requests, url=CONTACTS, method="POST")
    httpx_mock.add_callback(pushed_after_the_first_run_ended, url=CONTACTS, method="POST")
    # The first run's late answer says otherwise: the rows are no longer its to write.
    refused = {"payload": {"failed_emails": {EMAIL: "Email already exists"}}}
    httpx_mock.add_response(url=CONTACTS, method="POST", status_code=412, json=refused)
    first = await run_job(runtime, CONVERSIONS, DAY)
    assert tuple(await conn.fetchrow(CLAIMED)) == ("pushing", None, 0)
    first_done.set()
    second = await ticks[0]

    assert len(ongage_posts(httpx_mock)) == 3
    assert tuple(await conn.fetchrow(CLAIMED)) == ("pushed", "created", 0)
    assert await result_of(conn, first) == {"successful_rows": 0, "unsuccessful_rows": 0}
    assert await result_of(conn, second) == {"successful_rows": 1, "unsuccessful_rows": 0}


async def test_the_retry_path_pushes_only_valid_phones_of_the_pushed_countries(
    runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    # Left pending or failed before (another ONGAGE_COUNTRIES, an older rule): only the
    # GB one with an email is anyone's contact to push.
    await conn.execute(
        "INSERT INTO api_voluum_conversions"
        " (click_id, conversion_type, country_code, custom_variable_1, generated_email,"
        "  push_status, retry_count)"
        " VALUES ('gb', 'FTD', 'GB', '447400100001', $1, 'pending', 0),"
        "        ('gb-no-email', 'FTD', 'GB', '', NULL, 'pending', 0),"
        "        ('gb-empty-email', 'REG', 'GB', '', '', 'failed', 1),"
        "        ('de', 'FTD', 'DE', '4915123456701', '+4915123456701@yourmobile.com',"
        "         'failed', 1),"
        "        ('fr', 'REG', 'FR', '33612345678', '+33612345678@yourmobile.com',"
        "         'pending', 0)",
        EMAIL,
    )
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page([]))
    httpx_mock.add_response(url=CONTACTS, method="POST", json=created(EMAIL))
    job = await run_job(runtime, CONVERSIONS, {"scheduled": True})

    (post,) = ongage_posts(httpx_mock)
    assert [c["email"] for c in json.loads(post.content)] == [EMAIL]
    statuses = dict(await conn.fetch("SELECT click_id, push_status FROM api_voluum_conversions"))
    assert statuses == {
        "gb": "pushed",
        "gb-no-email": "pending",
        "gb-empty-email": "failed",
        "de": "failed",
        "fr": "pending",
    }
    assert await result_of(conn, job) == {"successful_rows": 1, "unsuccessful_rows": 0}


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_fail_the_sync_and_spend_no_contacts_retries(
    status: int, runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=session())
    httpx_mock.add_response(url=CONVERSIONS_URL, json=page(ROWS))
    httpx_mock.add_response(url=CONTACTS, method="POST", status_code=status)
    with pytest.raises(JobFailedError, match="credentials"):
        await run_job(runtime, CONVERSIONS, DAY)
    assert len(ongage_posts(httpx_mock)) == 1
    rows = await conn.fetch(CLAIMED + " ORDER BY click_id")
    assert [tuple(r) for r in rows] == [("pending", None, 0), ("pending", None, 0)]
    assert not await conn.fetchval("SELECT bool_or(processed) FROM api_voluum_conversions")
