"""The application's Prometheus instruments, in a registry of its own.

Why not Litestar's `litestar.plugins.prometheus`: its middleware keeps its metrics on
class-level state in prometheus-client's global registry, so every application built in
one process (the test suite builds hundreds) would share and add to the same series.
Here each Runtime owns one `Instruments`, made when the application starts, and the
/metrics route exposes that registry only.

What is counted as it happens lives here: requests (by route template), job attempts,
vendor calls. What is a state (jobs in the queue, the pool, the SQS consumer) is read
at scrape time by `app.metrics.collectors`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Seconds. A request of the API is milliseconds; a job minutes (a 10M-row cleaning run
# takes ~15 s here, an HLR batch may take hours); a vendor call up to its timeouts.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14_400.0)
VENDOR_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Instruments:
    """One application's counters and histograms, and the registry that holds them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "optimizer_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "optimizer_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ("method", "route"),
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "optimizer_job_attempt_duration_seconds",
            "How long job attempts ran in this process, by kind and outcome "
            "(succeeded, failed, retried, lost, handed_back).",
            ("kind", "outcome"),
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self.vendor_calls = Counter(
            "optimizer_vendor_calls",
            "Calls to vendors' APIs, one per attempt, by vendor, outcome (ok, retry, "
            "failed) and HTTP status (or the transport error when there was none).",
            ("vendor", "outcome", "status"),
            registry=self.registry,
        )
        self.vendor_seconds = Histogram(
            "optimizer_vendor_call_duration_seconds",
            "Time one attempt at a vendor call took, by vendor.",
            ("vendor",),
            buckets=VENDOR_BUCKETS,
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)

    def observe_job(self, kind: str, outcome: str, seconds: float) -> None:
        self.job_seconds.labels(kind, outcome).observe(seconds)

    def observe_vendor_call(self, vendor: str, outcome: str, status: str, seconds: float) -> None:
        self.vendor_calls.labels(vendor, outcome, status).inc()
        self.vendor_seconds.labels(vendor).observe(seconds)
