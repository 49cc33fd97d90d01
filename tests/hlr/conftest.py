"""A scripted HLR Lookup (both APIs, as external-apis.md §3 documents them) behind
pytest-httpx, counting every call; committed runs, cleaned up afterwards."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.clients import Clients
from app.clients.hlr import HlrClient
from app.files.repository import FileRepository
from app.files.service import FileService
from app.hlr.jobs import KIND, HlrJob
from app.hlr.repository import HlrRepository
from app.hlr.service import HlrService
from app.jobs.schemas import Job
from app.jobs.worker import JobWorker
from app.runtime import Runtime
from app.settings import JobSettings, Settings
from app.sql import SqlQueries
from app.storage import LocalStorage
from tests.conftest import make_runtime, make_settings
from tests.jobs.test_worker import wait_for_status

API_KEY = "hlr-key-5f2a9c"
SECRET = "hlr-secret-b71e04"
BATCH_URL = "https://batches.hlr.test"
API_URL = "https://api.hlr.test/apiv2"
BATCH_ID = "123456"
HLR_ENV = {
    "HLRLOOKUP_APIKEY": API_KEY,
    "HLRLOOKUP_SECRET": SECRET,
    "HLR_BATCH_BASE_URL": BATCH_URL,
    "HLR_API_BASE_URL": API_URL,
}
FAST = JobSettings(poll_seconds=1, lease_seconds=3, retry_base_seconds=0, shutdown_grace_seconds=5)
NAME = "hlr-test-leads.csv"
# The batch results CSV header, as the provider flattens it (fixtures/hlr/batch_results.csv).
HEADER = (
    "input,error,request_parameters.telephone_number,detected_telephone_number,"
    "formatted_telephone_number,telephone_number_type,live_status,original_network,"
    "original_network_details.name,original_network_details.mccmnc,current_network,"
    "current_network_details.name,current_network_details.mccmnc,is_ported,timestamp"
)


def phone(n: int) -> str:
    """GB mobiles valid per libphonenumber: 447400100001, …"""
    return f"4474001{n:05d}"


def result_row(number: str, status: str, *, current: str = "EE Limited",
               original: str = "EE Limited", error: str = "NONE", kind: str = "MOBILE"
               ) -> str:  # fmt: skip
    return (
        f"{number},{error},{number},{number},,{kind},{status},AVAILABLE,{original},23433,"
        f"AVAILABLE,{current},23430,NO,2026-01-06T17:03:07Z"
    )


def v2_result(number: str, status: str, *, current: str = "EE Limited", error: str = "NONE"
              ) -> dict[str, Any]:  # fmt: skip
    """One v2 answer, shaped like fixtures/hlr/apiv2_result.json."""
    return {
        "error": error,
        "uuid": str(uuid.uuid4()),
        "request_parameters": {"telephone_number": number, "save_to_cache": "YES",
                               "cache_days_global": 30, "cache_days_private": 30,
                               "output_format": ""},
        "credits_spent": 1 if error == "NONE" else 0,
        "detected_telephone_number": number,
        "formatted_telephone_number": "",
        "live_status": status,
        "telephone_number_type": "MOBILE",
        "original_network": "AVAILABLE",
        "original_network_details": {"name": "EE Limited (Orange)", "mccmnc": "23433",
                                     "country_name": "United Kingdom", "country_iso3": "GBR",
                                     "area": "United Kingdom", "country_prefix": "44"},
        "current_network": "AVAILABLE",
        "current_network_details": {"name": current, "mccmnc": "23438",
                                    "country_name": "United Kingdom", "country_iso3": "GBR",
                                    "country_prefix": "44"},
        "is_ported": "NO",
        "timestamp": "2026-01-06T17:03:07Z",
        "sms_email": "",
        "mms_email": "",
    }  # fmt: skip


@dataclasses.dataclass
class FakeHlr:
    """Answers like HLR Lookup; `polls` are the successive GET /batches/{id} answers (the
    last one repeats); `v2` answers one number of a v2 request."""

    results_csv: str = ""
    polls: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    v2: Callable[[str], dict[str, Any]] = lambda n: v2_result(n, "LIVE")
    calls: Counter[str] = dataclasses.field(default_factory=Counter)
    sources: list[bytes] = dataclasses.field(default_factory=list)
    v2_numbers: list[list[str]] = dataclasses.field(default_factory=list)
    # Per batch id (the first create answers BATCH_ID, the next ones BATCH_ID-2, ...): the
    # sources it received, in order; and the batches started, in order.
    batches: dict[str, list[bytes]] = dataclasses.field(default_factory=dict)
    started: list[str] = dataclasses.field(default_factory=list)
    # This many uploads arrive but their answer never does (a read timeout).
    lose_upload_answers: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url, method = request.url, request.method
        if url.host == "api.hlr.test":
            assert (method, url.path) == ("POST", "/apiv2/hlr")
            body = json.loads(request.content)
            assert (body["api_key"], body["api_secret"]) == (API_KEY, SECRET)
            numbers = [r["telephone_number"] for r in body["requests"]]
            assert 0 < len(numbers) <= 80
            self.calls["v2"] += 1
            self.v2_numbers.append(numbers)
            return httpx.Response(200, json={"results": [self.v2(n) for n in numbers]})
        assert url.host == "batches.hlr.test"
        assert dict(url.params) == {"apikey": API_KEY, "secret": SECRET}
        path = url.path
        if (method, path) == ("POST", "/batches/"):
            body = json.loads(request.content)
            assert body["type"] == "HLR_V2"
            assert body["batchArguments"]["save_to_cache"] == "YES"
            self.calls["create"] += 1
            batch_id = BATCH_ID if not self.batches else f"{BATCH_ID}-{len(self.batches) + 1}"
            self.batches[batch_id] = []
            return httpx.Response(200, json=self.batch("NOT_STARTED", 0, 0, batch_id=batch_id))
        parts = path.split("/")  # "", "batches", id, ["source" | "results" | ""]
        batch_id = parts[2] if len(parts) > 2 else ""
        step = (method, "/".join(parts[3:])) if batch_id in self.batches else None
        if step == ("POST", "source"):
            assert request.headers["Content-Type"] == "text/csv"
            self.calls["source"] += 1
            self.sources.append(request.content)
            self.batches[batch_id].append(request.content)
            if self.lose_upload_answers:
                self.lose_upload_answers -= 1
                raise httpx.ReadTimeout("the upload's answer never came", request=request)
            return httpx.Response(200, json=self.batch("NOT_STARTED", 0, 0, batch_id=batch_id))
        if step == ("PUT", ""):
            assert json.loads(request.content) == {"status": "PROCESSING"}
            self.calls["start"] += 1
            self.started.append(batch_id)
            return httpx.Response(200, json=self.batch("PROCESSING", 0, 0, batch_id=batch_id))
        if method == "GET" and len(parts) == 3 and batch_id in self.batches:
            self.calls["poll"] += 1
            answer = self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]
            return httpx.Response(200, json={**answer, "id": batch_id})
        if step == ("GET", "results"):
            self.calls["results"] += 1
            return httpx.Response(200, text=self.results_csv, headers={"Content-Type": "text/csv"})
        return httpx.Response(404)

    def paid(self) -> Counter[str]:
        """How many times each number is in a started batch (what the vendor charges)."""
        return Counter(
            number
            for batch_id in self.started
            for source in self.batches[batch_id]
            for number in source.decode().split()
        )

    @staticmethod
    def batch(status: str, items: int, complete: int, *, batch_id: str = BATCH_ID
              ) -> dict[str, Any]:  # fmt: skip
        return {"id": batch_id, "filename": "x.csv", "numColumns": 1, "type": "HLR_V2",
                "numItems": items, "numComplete": complete, "status": status,
                "creationDate": "2026-01-06T17:00:00Z"}  # fmt: skip


@pytest.fixture
def fake_hlr(httpx_mock: HTTPXMock) -> FakeHlr:
    fake = FakeHlr()
    httpx_mock.add_callback(fake, is_reusable=True, is_optional=True)
    return fake


@pytest.fixture
def hlr_settings(database_url: str, tmp_path: Path) -> Settings:
    settings = make_settings(database_url, UPLOAD_ROOT=str(tmp_path), **HLR_ENV)
    return dataclasses.replace(settings, jobs=FAST)


@pytest.fixture
async def hlr_db(committed: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """The committed pool; every row a test made is deleted afterwards."""
    yield committed
    async with committed.acquire() as conn:
        await conn.execute("DELETE FROM files WHERE original_filename = $1", NAME)
        await conn.execute(
            "DELETE FROM api_hlr_live_numbers WHERE custom_variable_1 LIKE '4474001%'"
        )
        await conn.execute("DELETE FROM phone_lists WHERE custom_variable_1 LIKE '4474001%'")
        await conn.execute("DELETE FROM hlr_risky_operators")


class Harness:
    """A processed cleaning file, its HLR run, and workers that run it."""

    def __init__(self, pool: asyncpg.Pool, sql: SqlQueries, settings: Settings) -> None:
        self.pool, self.sql, self.settings = pool, sql, settings
        self.storage = LocalStorage(settings.storage.upload_root)
        self.now = datetime.now(UTC)
        self.slept: list[float] = []
        self.crash_on_sleep = 0  # this many sleeps raise, as a container that stops

    def runtime(self) -> Runtime:
        runtime = make_runtime(self.pool, self.sql, self.settings, storage=self.storage)
        client = HlrClient.from_settings(self.settings)
        assert client is not None
        runtime.clients = Clients([client])
        return runtime

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.crash_on_sleep:
            self.crash_on_sleep -= 1
            raise RuntimeError("the container stopped")
        await asyncio.sleep(0)

    def clock(self) -> datetime:
        return self.now

    async def cleaned_file(self, phones: list[str]) -> UUID:
        file_id = uuid.uuid4()
        key = f"processed/cleaning/{file_id}.csv"
        source = self.storage.root / f"{file_id}.csv"
        source.write_text("phone,name\n" + "".join(f"{p},n{i}\n" for i, p in enumerate(phones)))
        await self.storage.put_file(key, source)
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO files (id, kind, original_filename, status, result_key, delimiter)"
                " VALUES ($1, 'cleaning', $2, 'processed', $3, ',')",
                file_id, NAME, key,
            )  # fmt: skip
        return file_id

    async def start(self, file_id: UUID) -> UUID:
        async with self.pool.acquire() as conn:
            files = FileService(FileRepository(conn, self.sql), self.storage)
            service = HlrService(files, HlrRepository(conn, self.sql), self.storage, max_attempts=3)
            return (await service.start(file_id)).job_id

    async def run(self, job_id: UUID, *, workers: int = 1) -> Job:
        """Workers (as many containers) until the job is finished."""
        started = [self.runtime() for _ in range(workers)]
        running = [
            JobWorker(r, {KIND: HlrJob(sleep=self.sleep, clock=self.clock).kind()}) for r in started
        ]
        tasks = [asyncio.create_task(w.run()) for w in running]
        try:
            # A bound, not a timing: the first run of a session builds the numbering
            # tables (app/phones/tables.py, 12-15 s on a loaded 2-core machine), which left
            # the default 20 s too close.
            return await wait_for_status(
                self.pool, self.sql, job_id, {"succeeded", "failed"}, within=120
            )
        finally:
            for worker in running:
                worker.stop()
            await asyncio.wait_for(asyncio.gather(*tasks), 10)
            for runtime in started:
                await runtime.clients.get(HlrClient).aclose()

    async def state(self, file_id: UUID) -> Any:
        async with self.pool.acquire() as conn:
            return await HlrRepository(conn, self.sql).get(file_id)

    async def lists(self) -> dict[str, tuple[str, str, str | None]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT custom_variable_1, list_name, decided_by, reason FROM phone_lists"
                " WHERE custom_variable_1 LIKE '4474001%'"
            )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.fixture
def harness(hlr_db: asyncpg.Pool, sql: SqlQueries, hlr_settings: Settings) -> Harness:
    return Harness(hlr_db, sql, hlr_settings)
