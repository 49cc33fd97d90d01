"""A runtime with the Voluum and Ongage clients on the test's connection, and a way to run
a sync job through its real handler (claimed, so that its progress is accepted)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from app.auth.tokens import SigningSecret
from app.clients import Clients
from app.clients.base import ClientPolicy
from app.clients.ongage import OngageClient
from app.clients.voluum import VoluumClient
from app.jobs.events import JobEvents
from app.jobs.kinds import JobContext
from app.jobs.repository import JobRepository
from app.jobs.schemas import Job
from app.runtime import Runtime
from app.settings import Settings
from app.sql import SqlQueries
from app.storage import LocalStorage
from app.voluum.jobs import JOB_KINDS
from tests.conftest import SingleConnection, make_settings

VOLUUM = "https://voluum.test"
ONGAGE = "https://ongage.test"
AES_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
FAST = ClientPolicy(
    rate_per_second=1000.0, max_attempts=3, backoff_base_seconds=0.001, backoff_cap_seconds=0.01
)
ENV = {
    "VOLUUM_ACCESS_ID": "access-id",
    "VOLUUM_ACCESS_KEY": "access-key",
    "VOLUUM_BASE_URL": VOLUUM,
    "VOLUUM_TRAFFIC_SOURCE_IDS": "ts-1",
    "VOLUUM_PAGE_SIZE": "2",
    "LIST_ID": "12345",
    "X_USERNAME": "user",
    "X_PASSWORD": "ongage-secret",
    "X_ACCOUNT_CODE": "acct",
    "ONGAGE_BASE_URL": ONGAGE,
    "AES_KEY": AES_KEY,
}


@pytest.fixture(autouse=True)
def fast_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff in milliseconds (Ongage's own is minutes), so retries cost nothing."""
    monkeypatch.setattr(VoluumClient, "policy", FAST)
    monkeypatch.setattr(OngageClient, "policy", FAST)


@pytest.fixture
def voluum_settings(database_url: str, tmp_path: Any) -> Settings:
    return make_settings(database_url, UPLOAD_ROOT=str(tmp_path), **ENV)


@pytest.fixture
async def runtime(
    conn: asyncpg.Connection, sql: SqlQueries, voluum_settings: Settings
) -> AsyncIterator[Runtime]:
    settings = voluum_settings
    clients = [VoluumClient.from_settings(settings), OngageClient.from_settings(settings)]
    opened = [c for c in clients if c is not None]
    yield Runtime(
        settings=settings,
        queries=sql,
        connections=SingleConnection(conn),
        storage=LocalStorage(settings.storage.upload_root),
        clients=Clients(opened),
        signing_secret=SigningSecret(),
        job_events=JobEvents(),
        job_kinds={kind.name: kind for kind in JOB_KINDS},
    )
    for client in opened:
        await client.aclose()


async def run_job(runtime: Runtime, kind: str, payload: dict[str, Any]) -> Job:
    """Queues a job, claims it as a worker would, and runs its handler once."""
    async with runtime.connections.acquire() as conn:
        await JobRepository(conn, runtime.queries).enqueue(kind, payload, max_attempts=1)
    return await run_queued(runtime, kind)


async def run_queued(runtime: Runtime, kind: str) -> Job:
    """Claims the oldest queued job of `kind` and runs its handler once."""
    async with runtime.connections.acquire() as conn:
        jobs = JobRepository(conn, runtime.queries)
        job = await jobs.claim(owner="test-worker", kinds=[kind], lease_seconds=60)
    assert job is not None
    await runtime.job_kinds[kind].handler(JobContext(job, "test-worker", runtime), job.payload)
    return job
