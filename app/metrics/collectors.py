"""What /metrics reads at scrape time: the job queue, the database pool, the SQS consumer.

These are states, not events, so they are read when Prometheus asks rather than kept up
to date on every change. The job counts need a query, which is async; prometheus-client
collects synchronously, so the scrape runs the query first and hands its rows in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import asyncpg
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.live_events.consumer import LiveEventConsumer
from app.metrics.schemas import JobCount
from app.runtime import Runtime

# The statuses count_jobs.sql reads; each known kind gets a series of each, zeros too, so
# that an alert on "failed > 0" has a series to look at before the first failure.
JOB_STATUSES = ("queued", "running", "failed")

# ConsumerStats' counters, each as optimizer_live_events_<name>_total.
_CONSUMER_COUNTERS = {
    "received": "Live events received from SQS.",
    "stored": "Live events stored for the first time.",
    "redelivered": "Live events SQS delivered again (already stored, nothing added).",
    "parked": "Messages or events that could not be read, kept with their error.",
    "deleted": "Messages deleted from the queue after their batch was committed.",
    "delete_failures": "Messages whose deletion SQS refused (they come back).",
    "undecryptable": "Events whose phone looked like a link token but did not decrypt.",
}


class RuntimeCollector:
    """The states of one application's runtime, as metric families."""

    def __init__(self, runtime: Runtime, job_counts: Sequence[JobCount] | None) -> None:
        self._runtime = runtime
        # None: the database did not answer the scrape's query.
        self._job_counts = job_counts

    def collect(self) -> Iterator[Metric]:
        yield from self._jobs()
        yield from self._pool()
        yield from self._consumer()

    def _jobs(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "optimizer_database_up",
            "1 when the scrape's query of the job queue answered, else 0.",
            value=0 if self._job_counts is None else 1,
        )
        yield up
        if self._job_counts is None:
            return
        counts = dict.fromkeys(
            ((kind, status) for kind in self._runtime.job_kinds for status in JOB_STATUSES), 0
        )
        for row in self._job_counts:
            counts[(row.kind, row.status)] = row.jobs
        jobs = GaugeMetricFamily(
            "optimizer_jobs",
            "Jobs in the queue by kind and status (failed ones until they are purged).",
            labels=("kind", "status"),
        )
        for (kind, status), value in sorted(counts.items()):
            jobs.add_metric((kind, status), value)
        yield jobs

    def _pool(self) -> Iterator[Metric]:
        # The lifespan hands the pool out as a ConnectionSource; tests, one connection.
        pool: object = self._runtime.connections
        if not isinstance(pool, asyncpg.Pool):
            return
        size, idle = pool.get_size(), pool.get_idle_size()
        yield GaugeMetricFamily(
            "optimizer_db_pool_max_connections",
            "Connections the pool may open (DB_POOL_MAX).",
            value=pool.get_max_size(),
        )
        yield GaugeMetricFamily(
            "optimizer_db_pool_connections", "Connections the pool holds open.", value=size
        )
        yield GaugeMetricFamily(
            "optimizer_db_pool_idle_connections",
            "Open connections no request, job or loop is using.",
            value=idle,
        )
        yield GaugeMetricFamily(
            "optimizer_db_pool_in_use_connections",
            "Connections lent out right now; at the maximum, requests wait for one.",
            value=size - idle,
        )

    def _consumer(self) -> Iterator[Metric]:
        consumer = self._runtime.loops.find(LiveEventConsumer)
        yield GaugeMetricFamily(
            "optimizer_live_events_consumer_running",
            "1 when this process runs the SQS consumer (SQS_QUEUE_URL is set).",
            value=0 if consumer is None else 1,
        )
        if consumer is None:
            return
        stats = consumer.stats
        started = stats.started_at.timestamp()
        for name, documentation in _CONSUMER_COUNTERS.items():
            yield CounterMetricFamily(
                f"optimizer_live_events_{name}",
                documentation,
                value=getattr(stats, name),
                created=started,
            )
        for name, at in (("last_batch", stats.last_batch_at), ("last_error", stats.last_error_at)):
            if at is not None:
                yield GaugeMetricFamily(
                    f"optimizer_live_events_{name}_timestamp_seconds",
                    f"When the consumer's {name.replace('_', ' ')} happened (Unix time).",
                    value=at.timestamp(),
                )


class Combined:
    """Several collectors as one, for one scrape's exposition."""

    def __init__(self, *collectors: Collector) -> None:
        self._collectors = collectors

    def collect(self) -> Iterable[Metric]:
        for collector in self._collectors:
            yield from collector.collect()
