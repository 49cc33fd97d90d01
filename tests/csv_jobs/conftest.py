"""The drip's test kit: a controllable clock, a counting fake of Ongage's contacts method
(external-apis.md §4.1) behind pytest-httpx, and jobs made through the real upload path."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from app.clients import Clients
from app.clients.ongage import OngageClient, OngagePolicy
from app.csv_jobs.repository import CsvJobRepository
from app.csv_jobs.runner import DripRunner
from app.csv_jobs.service import CsvJobService
from app.db import ConnectionSource
from app.sql import SqlQueries
from tests.clients.ongage_answers import contacts_answer

ONGAGE = "https://ongage.test"
DEFAULT_LIST = "4321"
HEADER = "List_ID,Email,Country,Source,Mobile,conversion_type,Original_source,HLR_Status,Uuid"


# Ongage's policy with the waits in milliseconds and no rate limit, so that backoffs cost
# the suite nothing (the real values are tested in tests/clients/test_ongage.py).
FAST = OngagePolicy(
    max_in_flight=10, max_attempts=6, backoff_base_seconds=0.001, backoff_cap_seconds=0.01
)


class Clock:
    """The runner's and the routes' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class FakeOngage:
    """Answers the contacts method as Ongage does; counts every contact it receives.

    `failed` maps an email to the reason Ongage refuses it with (a 412 for the batch);
    `statuses` are answered first, one per request (429, 500...), before normal service.
    """

    def __init__(self) -> None:
        self.received: list[str] = []
        self.requests: list[tuple[str, list[dict[str, Any]]]] = []
        self.failed: dict[str, str] = {}
        self.statuses: list[int] = []
        self.after_answer: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        list_id = request.url.path.split("/")[1]
        body = json.loads(request.content)
        self.requests.append((list_id, body))
        if self.statuses:
            status = self.statuses.pop(0)
            message = "Calls per minute exceeded" if status == 429 else "General error"
            return httpx.Response(
                status,
                json={"metadata": {"error": True}, "payload": {"code": status, "message": message}},
            )
        emails = [contact["email"] for contact in body]
        assert all(contact["overwrite"] is True for contact in body)
        self.received.extend(emails)
        failed = {email: self.failed[email] for email in emails if email in self.failed}
        created = {e: f"c{len(self.received)}-{i}" for i, e in enumerate(emails) if e not in failed}
        status, body = contacts_answer(created, failed)
        if self.after_answer is not None:
            await self.after_answer()
        return httpx.Response(status, json=body)

    def twice(self) -> set[str]:
        return {email for email, n in Counter(self.received).items() if n > 1}


def email(i: int) -> str:
    return f"+4474001{i:05d}@yourmobile.com"


def contacts_csv(
    count: int, *, first: int = 0, list_of: Callable[[int], str] = lambda i: ""
) -> bytes:
    lines = [HEADER]
    lines += [
        f"{list_of(i)},{email(i)},GB,drip,4474001{i:05d},REG,ads,LIVE,u-{i}"
        for i in range(first, first + count)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_ongage() -> FakeOngage:
    return FakeOngage()


@pytest.fixture
async def ongage_clients(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Clients]:
    monkeypatch.setattr(OngageClient, "policy", FAST)
    async with OngageClient(
        base_url=ONGAGE,
        default_list_id=DEFAULT_LIST,
        username="api-user",
        password="ongage-pass-123",
        account_code="acme01",
    ) as client:
        yield Clients([client])


def runner(
    connections: ConnectionSource,
    sql: SqlQueries,
    clients: Clients,
    clock: Clock,
    *,
    owner: str = "runner-a",
    lease_seconds: float = 300.0,
) -> DripRunner:
    return DripRunner(
        connections=connections,
        sql=sql,
        clients=clients,
        owner=owner,
        lease_seconds=lease_seconds,
        poll_seconds=1.0,
        clock=clock,
    )


async def started_job(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    clients: Clients,
    clock: Clock,
    raw: bytes,
    *,
    interval: int = 60,
    lower: int = 10,
    upper: int = 20,
) -> Any:
    """A job uploaded, paced and started through the service, as the routes do it."""
    service = CsvJobService(CsvJobRepository(conn, sql), clients, clock=clock)
    uploaded = await service.upload("contacts.csv", raw)
    await service.set_pace(
        uploaded.job_id, interval_seconds=interval, lower_limit=lower, upper_limit=upper
    )
    await service.transition(uploaded.job_id, "start")
    return uploaded.job_id


async def statuses(conn: asyncpg.Connection, job_id: Any) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT send_status, count(*) AS n FROM csv_active_records WHERE file_id = $1"
        " GROUP BY send_status",
        job_id,
    )
    return {row["send_status"]: row["n"] for row in rows}
