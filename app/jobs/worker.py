"""The worker: claims jobs, runs their kinds' handlers, keeps their leases, records the
outcome (see `app.jobs.kinds` for what a handler may raise)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import asyncpg

from app.db import acquire
from app.jobs.kinds import JobContext, JobFailedError, JobKind, LeaseLostError
from app.jobs.repository import JobRepository
from app.jobs.schemas import Job, JobOutcome
from app.runtime import Runtime

log = logging.getLogger(__name__)

T = TypeVar("T")

# An attempt's outcome is written this many times (spread over half a lease) before
# recovery is left to decide.
OUTCOME_WRITE_ATTEMPTS = 5


def worker_name() -> str:
    """Unique per process, readable in the jobs table: host, pid-less random suffix."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class JobWorker:
    """Runs up to `concurrency` jobs at once until stopped; owned by the app's lifespan.

    `run()` owns everything it starts: on stop it stops claiming, lets running jobs
    finish within the grace period, hands the rest back, and only then returns.
    """

    def __init__(
        self, runtime: Runtime, kinds: Mapping[str, JobKind], *, name: str | None = None
    ) -> None:
        self._runtime = runtime
        self._connections = runtime.connections
        self._sql = runtime.queries
        self._kinds = dict(kinds)
        self._settings = runtime.settings.jobs
        self.name = name or worker_name()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._running: dict[asyncio.Task[None], Job] = {}

    def wake(self) -> None:
        """Look for work now (a job was queued) instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Ask `run()` to wind down; it returns once running jobs are finished or handed back."""
        self._stopping.set()

    async def run(self) -> None:
        log.info("job_worker_started", extra={"worker": self.name, "kinds": len(self._kinds)})
        failures = 0
        try:
            while not self._stopping.is_set():
                # Cleared before looking, so a wake-up during the look is not lost.
                self._wake.clear()
                try:
                    await self._recover()
                    await self._fill()
                    failures = 0
                except Exception:  # one bad iteration (the database away) must not end the loop
                    failures += 1
                    log.exception("job_worker_iteration_failed", extra={"failures": failures})
                await self._idle(_backoff(failures, 1.0, 60.0) if failures else None)
        finally:
            await self._drain()
        log.info("job_worker_stopped", extra={"worker": self.name})

    async def _drain(self) -> None:
        if not self._running:
            return
        _, pending = await asyncio.wait(
            set(self._running), timeout=self._settings.shutdown_grace_seconds
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _idle(self, delay: float | None) -> None:
        """Sleep until woken, stopped, a job finishes, or the poll interval passes."""
        waiters = {
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        }
        try:
            await asyncio.wait(
                waiters | set(self._running),
                timeout=delay or self._settings.poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _recover(self) -> None:
        async with acquire(self._connections) as conn, conn.transaction():
            recovered = await JobRepository(conn, self._sql).recover_expired()
            for outcome in recovered:
                await self._failed_for_good(conn, outcome)
        for outcome in recovered:
            log.warning(
                "job_lease_expired", extra={"job_id": str(outcome.id), "now": outcome.status}
            )

    async def _fill(self) -> None:
        while len(self._running) < self._settings.concurrency and not self._stopping.is_set():
            async with acquire(self._connections) as conn:
                job = await JobRepository(conn, self._sql).claim(
                    owner=self.name,
                    kinds=sorted(self._kinds),
                    lease_seconds=self._settings.lease_seconds,
                )
            if job is None:
                return
            task = asyncio.create_task(self._execute(job), name=f"job-{job.kind}-{job.id}")
            self._running[task] = job
            task.add_done_callback(self._running.pop)

    async def _execute(self, job: Job) -> None:
        context = JobContext(job=job, owner=self.name, runtime=self._runtime)
        work = asyncio.current_task()
        assert work is not None
        keeper = asyncio.create_task(self._keep_lease(job, work), name=f"lease-{job.id}")
        extra = {"job_id": str(job.id), "kind": job.kind, "attempt": job.attempts}
        log.info("job_started", extra=extra)
        started = time.monotonic()
        outcome = "lost"
        try:
            await self._kinds[job.kind].handler(context, job.payload)
        except asyncio.CancelledError:
            if keeper.done():  # the lease was lost: the job may already run elsewhere
                log.warning("job_lease_lost", extra=extra)
                return
            if self._stopping.is_set():
                await self._record(
                    job, lambda conn: self._jobs(conn).release(job.id, owner=self.name)
                )
                outcome = "handed_back"
                log.info("job_handed_back", extra=extra)
            raise
        except LeaseLostError:
            log.warning("job_lease_lost", extra=extra)
        except JobFailedError as exc:
            outcome = await self._fail(job, str(exc), retryable=False)
        except Exception as exc:
            log.exception("job_attempt_failed", extra=extra)
            outcome = await self._fail(job, f"{type(exc).__name__}: {exc}", retryable=True)
        else:
            done = await self._record(
                job, lambda conn: self._jobs(conn).complete(job.id, owner=self.name)
            )
            outcome = "succeeded" if done else "lost"
            log.info("job_succeeded", extra=extra)
        finally:
            # The attempt as this worker ran it (its finished_at - attempt_started_at, on
            # this process's clock): how long each kind takes, and how often it fails.
            self._runtime.metrics.observe_job(job.kind, outcome, time.monotonic() - started)
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _fail(self, job: Job, error: str, *, retryable: bool) -> str:
        """Records a failed attempt; the outcome for the metrics: failed, retried or lost."""
        delay = _backoff(job.attempts, self._settings.retry_base_seconds, 300.0)

        async def write(conn: asyncpg.Connection) -> JobOutcome | None:
            async with conn.transaction():
                outcome = await self._jobs(conn).fail(
                    job.id,
                    owner=self.name,
                    error=error,
                    retryable=retryable,
                    retry_after_seconds=delay,
                )
                if outcome is not None:
                    await self._failed_for_good(conn, outcome)
                return outcome

        outcome = await self._record(job, write)
        status = outcome.status if outcome else "lost"
        log.warning("job_failed", extra={"job_id": str(job.id), "kind": job.kind, "now": status})
        return {"queued": "retried", "failed": "failed"}.get(status, "lost")

    def _jobs(self, conn: asyncpg.Connection) -> JobRepository:
        return JobRepository(conn, self._sql)

    async def _failed_for_good(self, conn: asyncpg.Connection, outcome: JobOutcome) -> None:
        """The kind's hook for its subject (a file fails with its job), in the caller's
        transaction. Kinds this process does not know have no hook here."""
        kind = self._kinds.get(outcome.kind)
        if outcome.status == "failed" and kind is not None and kind.on_failed is not None:
            await kind.on_failed(conn, self._sql, outcome)

    async def _record(
        self, job: Job, action: Callable[[asyncpg.Connection], Awaitable[T]]
    ) -> T | None:
        """Writes an attempt's outcome, retrying through a database blip while the lease
        lasts (after that, recovery decides). Shielded: a shutdown must not lose it."""

        async def write() -> T | None:
            for attempt in range(1, OUTCOME_WRITE_ATTEMPTS + 1):
                try:
                    async with acquire(self._connections) as conn:
                        return await action(conn)
                except Exception:
                    if attempt == OUTCOME_WRITE_ATTEMPTS:
                        log.exception("job_outcome_not_recorded", extra={"job_id": str(job.id)})
                        return None
                    await asyncio.sleep(self._settings.lease_seconds / (2 * OUTCOME_WRITE_ATTEMPTS))
            return None

        writing = asyncio.ensure_future(write())
        try:
            return await asyncio.shield(writing)
        except asyncio.CancelledError:
            await writing  # finish the write before giving up, so nothing is left unowned
            raise

    async def _keep_lease(self, job: Job, work: asyncio.Task[Any]) -> None:
        """Renews the lease at a third of its length. When renewing fails until the lease
        would have lapsed, the work is cancelled: by then it may already run elsewhere."""
        lease = self._settings.lease_seconds
        deadline = time.monotonic() + lease
        while True:
            await asyncio.sleep(lease / 3)
            try:
                async with acquire(self._connections) as conn:
                    held = await JobRepository(conn, self._sql).renew_lease(
                        job.id, owner=self.name, lease_seconds=lease
                    )
            except Exception:  # the database may be back before the lease lapses
                log.exception("job_lease_renewal_failed", extra={"job_id": str(job.id)})
                held = time.monotonic() < deadline - lease / 6
                if not held:
                    work.cancel()
                    return
                continue
            if not held:
                work.cancel()
                return
            deadline = time.monotonic() + lease


def _backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential with jitter, so that retries from many jobs do not arrive together."""
    delay: float = min(cap, base * 2 ** max(attempt - 1, 0))
    return delay * random.uniform(0.5, 1.5)  # noqa: S311
