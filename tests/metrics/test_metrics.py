"""GET /metrics: protected unless METRICS_PUBLIC, and every series an operator needs:
requests by route template, jobs, the pool, the SQS consumer and vendor calls."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any, Self

import asyncpg
import httpx
import pytest
from litestar import Litestar
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app.clients import open_clients
from app.clients.base import ClientPolicy, VendorClient
from app.jobs.kinds import JobContext, JobFailedError
from app.jobs.repository import JobRepository
from app.jobs.worker import JobWorker
from app.live_events.consumer import LiveEventConsumer
from app.main import create_app
from app.metrics.instruments import Instruments
from app.runtime import runtime_of
from app.settings import JobSettings, Settings, load_settings
from app.sql import SqlQueries
from tests.conftest import make_runtime, make_settings, serve_in_loop
from tests.jobs.conftest import kinds_of
from tests.jobs.test_worker import wait_for_status


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


def names(text: str) -> set[str]:
    return {name for name, _ in samples(text)}


# --- access ------------------------------------------------------------------------------


async def test_metrics_need_an_admin_key_by_default(
    anonymous: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    assert (await anonymous.get("/metrics")).status_code == 401
    for scope in ("read", "write"):
        response = await anonymous.get("/metrics", headers={"X-API-Key": keys[scope]})
        assert response.status_code == 403, scope
    response = await anonymous.get("/metrics", headers={"X-API-Key": keys["admin"]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")


async def test_metrics_public_setting_opens_the_scrape_and_nothing_else(
    database_url: str,
) -> None:
    app = create_app(make_settings(database_url, METRICS_PUBLIC="true"))
    async with serve_in_loop(app) as anonymous:
        assert (await anonymous.get("/metrics")).status_code == 200
        assert (await anonymous.get("/get-metrics")).status_code == 401
        operation = app.openapi_schema.to_schema()["paths"]["/metrics"]["get"]
        assert operation["security"] == [{}]
        assert "401" not in operation["responses"]


def test_the_setting_is_per_application(database_url: str) -> None:
    public = create_app(make_settings(database_url, METRICS_PUBLIC="true"))
    private = create_app(make_settings(database_url))

    def metrics_opt(app: Litestar) -> dict[str, Any]:
        return app.route_handler_method_map["/metrics"]["GET"].opt

    assert metrics_opt(public).get("public") is True
    assert not metrics_opt(private).get("public")


# --- requests ----------------------------------------------------------------------------


async def test_requests_are_counted_by_route_template_never_by_path(
    client: httpx.AsyncClient,
) -> None:
    job_id = uuid.uuid4()
    phone = "447400100123"
    assert (await client.get(f"/jobs/{job_id}")).status_code == 404
    assert (await client.get(f"/jobs/{job_id}")).status_code == 404
    await client.get(f"/phones/{phone}")
    await client.get("/health")

    text = (await client.get("/metrics")).text

    assert str(job_id) not in text
    assert phone not in text
    route = "/jobs/{job_id}"
    counted = value(text, "optimizer_http_requests_total", method="GET", route=route, status="404")
    assert counted == 2
    assert value(text, "optimizer_http_requests_total", method="GET", route="/health", status="200")
    phone_routes = {
        dict(labels)["route"]
        for name, labels in samples(text)
        if name == "optimizer_http_requests_total" and "phones" in dict(labels)["route"]
    }
    assert phone_routes == {"/phones/{phone}"}
    timed = value(text, "optimizer_http_request_duration_seconds_count", method="GET", route=route)
    assert timed == 2


async def test_each_application_counts_its_own_requests(
    client: httpx.AsyncClient, database_url: str
) -> None:
    await client.get("/health")
    other = create_app(make_settings(database_url, METRICS_PUBLIC="true"))
    async with serve_in_loop(other) as anonymous:
        theirs = (await anonymous.get("/metrics")).text
    mine = (await client.get("/metrics")).text
    health = {"method": "GET", "route": "/health", "status": "200"}
    assert value(mine, "optimizer_http_requests_total", **health) == 1
    assert value(theirs, "optimizer_http_requests_total", **health) is None


def _exposition(instruments: Instruments) -> str:
    return generate_latest(instruments.registry).decode()


# --- jobs, pool, consumer --------------------------------------------------------------


async def test_jobs_are_counted_per_kind_and_status_with_zeros(
    client: httpx.AsyncClient, conn: asyncpg.Connection, sql: SqlQueries
) -> None:
    jobs = JobRepository(conn, sql)
    await jobs.enqueue("cleaning.process", {}, max_attempts=1)
    await jobs.enqueue("cleaning.process", {}, max_attempts=1)

    text = (await client.get("/metrics")).text

    assert value(text, "optimizer_database_up") == 1
    assert value(text, "optimizer_jobs", kind="cleaning.process", status="queued") == 2
    assert value(text, "optimizer_jobs", kind="cleaning.process", status="failed") == 0
    assert value(text, "optimizer_jobs", kind="jobs.purge", status="running") == 0


async def test_the_pool_is_measured_when_there_is_one(database_url: str) -> None:
    settings = make_settings(database_url, METRICS_PUBLIC="true", DB_POOL_MAX="4")
    async with serve_in_loop(create_app(settings)) as anonymous:
        text = (await anonymous.get("/metrics")).text
    assert value(text, "optimizer_db_pool_max_connections") == 4
    size = value(text, "optimizer_db_pool_connections")
    idle = value(text, "optimizer_db_pool_idle_connections")
    assert size is not None
    assert idle is not None
    assert 0 <= idle <= size
    assert value(text, "optimizer_db_pool_in_use_connections") == size - idle


async def test_a_scrape_answers_when_the_database_does_not(unused_tcp_port: int) -> None:
    url = f"postgresql://nobody:secret@127.0.0.1:{unused_tcp_port}/nothing"
    settings = make_settings(url, DB_POOL_MIN="0", METRICS_PUBLIC="true")
    async with serve_in_loop(create_app(settings)) as anonymous:
        response = await anonymous.get("/metrics")
    assert response.status_code == 200
    assert value(response.text, "optimizer_database_up") == 0
    assert "optimizer_jobs" not in names(response.text)


async def test_the_consumer_counters_are_exposed_while_it_runs(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    text = (await client.get("/metrics")).text
    assert value(text, "optimizer_live_events_consumer_running") == 0
    assert "optimizer_live_events_received_total" not in names(text)

    runtime = runtime_of(app)
    consumer = LiveEventConsumer(
        client=None,
        queue_url="https://sqs.test/queue",
        connections=runtime.connections,
        sql=runtime.queries,
        cipher=None,
        default_region="GB",
    )
    consumer.stats.received, consumer.stats.stored, consumer.stats.parked = 120, 100, 3
    consumer.stats.last_batch_at = datetime(2026, 1, 15, tzinfo=UTC)
    runtime.loops.running.append(consumer)
    try:
        text = (await client.get("/metrics")).text
    finally:
        runtime.loops.running.remove(consumer)

    assert value(text, "optimizer_live_events_consumer_running") == 1
    assert value(text, "optimizer_live_events_received_total") == 120
    assert value(text, "optimizer_live_events_stored_total") == 100
    assert value(text, "optimizer_live_events_parked_total") == 3
    assert value(text, "optimizer_live_events_delete_failures_total") == 0
    last_batch = datetime(2026, 1, 15, tzinfo=UTC).timestamp()
    assert value(text, "optimizer_live_events_last_batch_timestamp_seconds") == last_batch


async def test_the_worker_times_each_attempt_by_kind_and_outcome(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    async def succeed(_context: JobContext, _payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)

    async def refuse(_context: JobContext, _payload: dict[str, Any]) -> None:
        raise JobFailedError("not a CSV")

    async with committed.acquire() as conn:
        good = await JobRepository(conn, sql).enqueue("demo.succeed", {}, max_attempts=1)
        bad = await JobRepository(conn, sql).enqueue("demo.refuse", {}, max_attempts=1)
    runtime = make_runtime(committed, sql, JobSettings(poll_seconds=1, lease_seconds=3))
    worker = JobWorker(runtime, kinds_of({"demo.succeed": succeed, "demo.refuse": refuse}))
    task = asyncio.create_task(worker.run())
    try:
        await wait_for_status(committed, sql, good.id, {"succeeded"})
        await wait_for_status(committed, sql, bad.id, {"failed"})
    finally:
        worker.stop()
        await asyncio.wait_for(task, 10)  # every attempt is observed by then
    text = _exposition(runtime.metrics)

    name = "optimizer_job_attempt_duration_seconds_count"
    assert value(text, name, kind="demo.succeed", outcome="succeeded") == 1
    assert value(text, name, kind="demo.refuse", outcome="failed") == 1
    took = value(
        text, "optimizer_job_attempt_duration_seconds_sum", kind="demo.succeed", outcome="succeeded"
    )
    assert took is not None
    assert took >= 0.01


# --- vendors -----------------------------------------------------------------------------


class Acme(VendorClient):
    vendor = "acme"
    settings_hint = "ACME_KEY"
    policy = ClientPolicy(max_attempts=2, backoff_base_seconds=0.001, backoff_cap_seconds=0.01)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        return cls(base_url="https://api.acme.test", transport=_ACME)


def _acme(request: httpx.Request) -> httpx.Response:
    if request.url.path.startswith("/numbers/"):
        return httpx.Response(503)
    if request.url.path == "/down":
        raise httpx.ConnectError("refused", request=request)
    return httpx.Response(200, json={})


_ACME = httpx.MockTransport(_acme)


async def test_vendor_calls_are_counted_by_vendor_outcome_and_status() -> None:
    instruments = Instruments()
    async with open_clients(load_settings({}), [Acme], instruments) as clients:
        acme = clients.get(Acme)
        await acme.request("GET", "/ok")
        with pytest.raises(Exception, match="acme"):
            await acme.request("GET", "/numbers/447400100001")
        with pytest.raises(Exception, match="acme"):
            await acme.request("GET", "/down")

    text = _exposition(instruments)
    assert "447400100001" not in text  # no path, so no phone, in any label
    calls = "optimizer_vendor_calls_total"
    assert value(text, calls, vendor="acme", outcome="ok", status="200") == 1
    assert value(text, calls, vendor="acme", outcome="retry", status="503") == 1
    assert value(text, calls, vendor="acme", outcome="failed", status="503") == 1
    assert value(text, calls, vendor="acme", outcome="retry", status="ConnectError") == 1
    assert value(text, calls, vendor="acme", outcome="failed", status="ConnectError") == 1
    assert value(text, "optimizer_vendor_call_duration_seconds_count", vendor="acme") == 5
