"""The worker: claims jobs, runs their handlers, keeps their leases, records the outcome.

A job's handler is an async function `(context, payload) -> None`. It reports progress
through the context; raising `JobFailedError` fails the job for good, any other
exception is retried with backoff until the job's attempts run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.db import ConnectionSource, acquire
from app.jobs.repository import JobRepository
from app.jobs.schemas import Job
from app.settings import JobSettings, Settings
from app.sql import SqlQueries
from app.storage import Storage

log = logging.getLogger(__name__)

# An attempt's outcome is written this many times (spread over half a lease) before
# recovery is left to decide.
OUTCOME_WRITE_ATTEMPTS = 5


class JobFailedError(Exception):
    """A failure that retrying cannot fix (bad input, a missing file): no more attempts."""


class LeaseLostError(Exception):
    """The job's lease lapsed and it may now run elsewhere; this attempt must stop."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler gets besides its payload."""

    job: Job
    connections: ConnectionSource
    sql: SqlQueries
    owner: str
    storage: Storage | None = None
    settings: Settings | None = None

    async def progress(
        self, done: int, total: int | None = None, message: str | None = None
    ) -> None:
        async with acquire(self.connections) as conn:
            held = await JobRepository(conn, self.sql).report_progress(
                self.job.id, owner=self.owner, done=done, total=total, message=message
            )
        if not held:
            raise LeaseLostError(str(self.job.id))


JobHandler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


def worker_name() -> str:
    """Unique per process, readable in the jobs table: host, pid-less random suffix."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class JobWorker:
    """Runs up to `concurrency` jobs at once until stopped; owned by the app's lifespan.

    `run()` owns everything it starts: on stop it stops claiming, lets running jobs
    finish within the grace period, hands the rest back, and only then returns.
    """

    def __init__(
        self,
        *,
        connections: ConnectionSource,
        sql: SqlQueries,
        handlers: Mapping[str, JobHandler],
        settings: JobSettings,
        name: str | None = None,
        storage: Storage | None = None,
        app_settings: Settings | None = None,
    ) -> None:
        self._connections = connections
        self._sql = sql
        self._handlers = dict(handlers)
        self._settings = settings
        self._storage = storage
        self._app_settings = app_settings
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
        log.info("job_worker_started", extra={"worker": self.name, "kinds": len(self._handlers)})
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
        async with acquire(self._connections) as conn:
            recovered = await JobRepository(conn, self._sql).recover_expired()
        for outcome in recovered:
            log.warning(
                "job_lease_expired", extra={"job_id": str(outcome.id), "now": outcome.status}
            )

    async def _fill(self) -> None:
        while len(self._running) < self._settings.concurrency and not self._stopping.is_set():
            async with acquire(self._connections) as conn:
                job = await JobRepository(conn, self._sql).claim(
                    owner=self.name,
                    kinds=sorted(self._handlers),
                    lease_seconds=self._settings.lease_seconds,
                )
            if job is None:
                return
            task = asyncio.create_task(self._execute(job), name=f"job-{job.kind}-{job.id}")
            self._running[task] = job
            task.add_done_callback(self._running.pop)

    async def _execute(self, job: Job) -> None:
        context = JobContext(
            job=job,
            connections=self._connections,
            sql=self._sql,
            owner=self.name,
            storage=self._storage,
            settings=self._app_settings,
        )
        work = asyncio.current_task()
        assert work is not None
        keeper = asyncio.create_task(self._keep_lease(job, work), name=f"lease-{job.id}")
        extra = {"job_id": str(job.id), "kind": job.kind, "attempt": job.attempts}
        log.info("job_started", extra=extra)
        try:
            await self._handlers[job.kind](context, job.payload)
        except asyncio.CancelledError:
            if keeper.done():  # the lease was lost: the job may already run elsewhere
                log.warning("job_lease_lost", extra=extra)
                return
            if self._stopping.is_set():
                await self._record(job, lambda repo: repo.release(job.id, owner=self.name))
                log.info("job_handed_back", extra=extra)
            raise
        except LeaseLostError:
            log.warning("job_lease_lost", extra=extra)
        except JobFailedError as exc:
            await self._fail(job, str(exc), retryable=False)
        except Exception as exc:
            log.exception("job_attempt_failed", extra=extra)
            await self._fail(job, f"{type(exc).__name__}: {exc}", retryable=True)
        else:
            await self._record(job, lambda repo: repo.complete(job.id, owner=self.name))
            log.info("job_succeeded", extra=extra)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _fail(self, job: Job, error: str, *, retryable: bool) -> None:
        delay = _backoff(job.attempts, self._settings.retry_base_seconds, 300.0)
        outcome = await self._record(
            job,
            lambda repo: repo.fail(
                job.id, owner=self.name, error=error, retryable=retryable, retry_after_seconds=delay
            ),
        )
        status = outcome.status if outcome else "lost"
        log.warning("job_failed", extra={"job_id": str(job.id), "kind": job.kind, "now": status})

    async def _record(self, job: Job, action: Callable[[JobRepository], Awaitable[Any]]) -> Any:
        """Writes an attempt's outcome, retrying through a database blip while the lease
        lasts (after that, recovery decides). Shielded: a shutdown must not lose it."""

        async def write() -> Any:
            for attempt in range(1, OUTCOME_WRITE_ATTEMPTS + 1):
                try:
                    async with acquire(self._connections) as conn:
                        return await action(JobRepository(conn, self._sql))
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
    return min(cap, base * 2 ** max(attempt - 1, 0)) * random.uniform(0.5, 1.5)  # noqa: S311
