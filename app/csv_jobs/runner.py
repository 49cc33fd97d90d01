"""The drip runner: every `interval_seconds`, a running job sends between `lower_limit` and
`upper_limit` of its unsent records, in file order, to Ongage.

One tick of a job runs in one place: the runner claims the job's row (SKIP LOCKED, with
an expiry it renews while the tick runs), and every write of the tick is refused once the
claim is lost. Each batch's outcomes are committed as soon as Ongage answers, so a crash
between Ongage's answer and that commit re-sends at most that one batch, which
`overwrite: true` makes an update of the same contacts rather than a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clients import Clients
from app.clients.base import UpstreamError
from app.clients.ongage import (
    MAX_BATCH,
    BatchResult,
    OngageClient,
    OngageContact,
    OngageCredentialsError,
    valid_list_id,
)
from app.csv_jobs.repository import DripRepository
from app.csv_jobs.schemas import ClaimedJob, PendingRecord
from app.csv_jobs.service import utc_now
from app.db import ConnectionSource, acquire
from app.errors import AppError
from app.sql import SqlQueries

log = logging.getLogger(__name__)

# A record whose batch Ongage could not be asked about this many times is failed for good.
MAX_RECORD_ATTEMPTS = 5
# The CSV columns sent as Ongage list fields, by their record names (the email is the
# contact itself; the list is the request's).
_FIELDS = (
    "country", "source", "mobile", "conversion_type", "original_source", "hlr_status", "uuid",
)  # fmt: skip


def pick_count(job: ClaimedJob) -> int:
    """How many records this tick sends: anywhere between the job's limits."""
    return random.randint(job.lower_limit, job.upper_limit)  # noqa: S311 - pacing, not a secret


def contact(record: PendingRecord) -> OngageContact:
    """A record as an Ongage contact; empty cells are left out, so that `overwrite: true`
    never blanks a field the list already holds."""
    values: dict[str, Any] = {name: getattr(record, name) for name in _FIELDS}
    return OngageContact(record.email, {k: v for k, v in values.items() if v is not None})


@dataclass(frozen=True, slots=True)
class Tick:
    job: ClaimedJob
    id: int
    planned: int
    at: datetime


class DripRunner:
    """Runs due ticks until stopped; owned by the lifespan (declared in the manifest)."""

    def __init__(
        self,
        *,
        connections: ConnectionSource,
        sql: SqlQueries,
        clients: Clients,
        owner: str,
        lease_seconds: float,
        poll_seconds: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._connections = connections
        self._sql = sql
        self._clients = clients
        self.owner = owner
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._clock = clock
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        log.info("drip_runner_started", extra={"runner": self.owner})
        failures = 0
        while not self._stopping.is_set():
            try:
                await self.run_due()
                failures = 0
            except Exception:  # the database away: try again later, never end the loop
                failures += 1
                log.exception("drip_runner_iteration_failed", extra={"failures": failures})
            delay = min(60.0, self._poll * 2**failures) if failures else self._poll
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._stopping.wait()
        log.info("drip_runner_stopped", extra={"runner": self.owner})

    def stop(self) -> None:
        """Ends the loop after the batch in flight; the tick is closed and released."""
        self._stopping.set()

    async def run_due(self) -> int:
        """Runs the tick of every job due now, one job at a time; how many ran."""
        ran = 0
        while not self._stopping.is_set():
            tick = await self._claim()
            if tick is None:
                return ran
            await self._run(tick)
            ran += 1
        return ran

    async def _claim(self) -> Tick | None:
        now = self._clock()
        async with acquire(self._connections) as conn:
            claimed = await DripRepository(conn, self._sql).claim(
                owner=self.owner, now=now, lease_seconds=self._lease, planned=pick_count
            )
        if claimed is None:
            return None
        job, tick_id, planned = claimed
        return Tick(job=job, id=tick_id, planned=planned, at=now)

    async def _run(self, tick: Tick) -> None:
        lost = asyncio.Event()
        keeper = asyncio.create_task(self._keep_claim(tick, lost), name=f"drip-claim-{tick.id}")
        error: str | None = None
        try:
            error = await self._send(tick, lost)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            async with acquire(self._connections) as conn:
                state = await DripRepository(conn, self._sql).finish(
                    tick.job.id,
                    tick.id,
                    owner=self.owner,
                    tick_at=tick.at,
                    now=self._clock(),
                    error=error,
                )
        log.info(
            "drip_tick_finished",
            extra={
                "job_id": str(tick.job.id),
                "tick": tick.id,
                "planned": tick.planned,
                "error": error,
                "now": state.status if state else "lost",
            },
        )

    async def _send(self, tick: Tick, lost: asyncio.Event) -> str | None:
        """Sends up to the tick's count; the error that ended it early, if any."""
        try:
            ongage = self._clients.get(OngageClient)
        except AppError as exc:
            return exc.detail
        if not valid_list_id(ongage.default_list_id):
            return "LIST_ID is not an Ongage list id (digits)"
        left = tick.planned
        while left > 0 and not (self._stopping.is_set() or lost.is_set()):
            async with acquire(self._connections) as conn:
                records = await DripRepository(conn, self._sql).take(
                    tick.job.id, owner=self.owner, limit=min(MAX_BATCH, left)
                )
            if not records:
                break  # paused, claim lost, or nothing left
            list_id = records[0].list_id or ongage.default_list_id
            # One request per list, in file order: the leading run of records on one list.
            batch = []
            for record in records:
                if (record.list_id or ongage.default_list_id) != list_id:
                    break
                batch.append(record)
            try:
                result = await ongage.add_contacts(list_id, [contact(r) for r in batch])
            except OngageCredentialsError as exc:
                # Nothing about these contacts: the tick fails (and the job backs off)
                # without an attempt against them, so a wrong password drains nothing.
                return exc.detail
            except UpstreamError as exc:
                await self._record_error(tick, batch, exc.detail)
                return exc.detail
            if not await self._record(tick, batch, result):
                return None  # the claim lapsed; whoever holds the job now goes on
            left -= len(batch)
        return None

    async def _record(self, tick: Tick, batch: list[PendingRecord], result: BatchResult) -> bool:
        outcomes = [
            (record.id, outcome.status, outcome.detail if outcome.status == "failed" else None)
            for record, outcome in zip(batch, result.outcomes, strict=True)
        ]
        async with acquire(self._connections) as conn:
            return await DripRepository(conn, self._sql).record_outcomes(
                tick.job.id,
                tick.id,
                outcomes,
                owner=self.owner,
                now=self._clock(),
                lease_seconds=self._lease,
            )

    async def _record_error(self, tick: Tick, batch: list[PendingRecord], error: str) -> None:
        log.warning(
            "drip_batch_failed",
            extra={"job_id": str(tick.job.id), "tick": tick.id, "records": len(batch)},
        )
        async with acquire(self._connections) as conn:
            await DripRepository(conn, self._sql).record_send_error(
                tick.job.id,
                tick.id,
                [record.id for record in batch],
                error=error,
                max_attempts=MAX_RECORD_ATTEMPTS,
                owner=self.owner,
                now=self._clock(),
                lease_seconds=self._lease,
            )

    async def _keep_claim(self, tick: Tick, lost: asyncio.Event) -> None:
        """Renews the claim at a third of its length while the tick runs (Ongage's 429
        backoff can hold one call for minutes); a lost claim stops the tick's sends.

        A renewal that fails (the database away) is tried again, but only while the last
        one that worked still covers two thirds of the lease: past that, another runner
        may soon take the job, so this one stops sending first (as the job worker does)."""
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                async with acquire(self._connections) as conn:
                    held = await DripRepository(conn, self._sql).renew(
                        tick.job.id, owner=self.owner, now=self._clock(), lease_seconds=self._lease
                    )
            except Exception:  # the database may be back before the claim lapses
                log.exception("drip_claim_renewal_failed", extra={"job_id": str(tick.job.id)})
                if time.monotonic() - renewed < self._lease * 2 / 3:
                    continue
                held = False
            if not held:
                log.warning("drip_claim_lost", extra={"job_id": str(tick.job.id)})
                lost.set()
                return
            renewed = time.monotonic()
