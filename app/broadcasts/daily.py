"""A day's broadcasts, after the fact: the history file with its stats, and the SMS cost
pushed to Voluum per campaign (legacy-contract §3.8).

Both read MessageWhiz and Voluum first and touch the database only at the end, in one
short transaction: no connection is held while a vendor answers.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from app.broadcasts.hub import hub_of, take_snapshot
from app.broadcasts.repository import BroadcastRepository
from app.broadcasts.rows import ROW_KEYS, SKIPPED_STATES, Line, Totals, TotalsKey, line_of, row
from app.broadcasts.schemas import CostPush, CostUpdate, SkippedCost
from app.clients.base import UpstreamError
from app.clients.messagewhiz import MessageWhizClient
from app.clients.voluum import VoluumClient, Window
from app.db import acquire
from app.files.csv_safety import inert
from app.files.repository import FileRepository
from app.files.service import FileService
from app.runtime import Runtime

log = logging.getLogger(__name__)

# A cost claim older than this is a run that died mid-call: another may push it. Longer
# than one manual-cost call can take through the client's policy (two 120 s reads, waits).
COST_CLAIM_SECONDS = 15 * 60

KIND = "broadcast_history"


def history_filename(day: date) -> str:
    return f"MMD_Data_{day.isoformat()}.csv"


def yesterday(now: datetime) -> date:
    return now.astimezone(UTC).date() - timedelta(days=1)


async def _totals(runtime: Runtime, lines: Sequence[Line]) -> dict[TotalsKey, Totals | None]:
    """Every distinct campaign window once, concurrently within Voluum's limits, through
    the hub (a window a live stream just fetched is not fetched again)."""
    keys = list(dict.fromkeys(k for line in lines if (k := line.totals_key) is not None))
    hub = hub_of(runtime)
    found = await asyncio.gather(*(hub.totals.get(key) for key in keys))
    return dict(zip(keys, found, strict=True))


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """The old columns, without the old pandas index column; formulas made inert."""
    frame = pl.DataFrame(
        [[str(r[k]) if r[k] is not None else None for k in ROW_KEYS] for r in rows],
        schema=dict.fromkeys(ROW_KEYS, pl.String),
        orient="row",
    )
    frame.select(inert(pl.col(k)).alias(k) for k in ROW_KEYS).write_csv(path)


async def save_history(runtime: Runtime, day: date) -> int:
    """The day's history file (replacing the day's previous one) and its stats rows;
    answers the number of broadcasts saved."""
    messagewhiz = runtime.clients.get(MessageWhizClient)
    runtime.clients.get(VoluumClient)  # 503 now, not after MessageWhiz has been read
    snapshot = await take_snapshot(messagewhiz, day)
    now = datetime.now(UTC)
    kept = [b for b in snapshot.broadcasts if b.state not in SKIPPED_STATES]
    lines = [line_of(b, snapshot.links, now) for b in kept]
    totals = await _totals(runtime, lines)
    rows = [row(line, totals.get(k) if (k := line.totals_key) else None) for line in lines]
    file_id = uuid.uuid4()
    key = f"results/{KIND}/{file_id}.csv"
    with tempfile.TemporaryDirectory(prefix="optimizer-broadcasts-") as folder:
        path = Path(folder) / "history.csv"
        await asyncio.to_thread(_write_csv, rows, path)
        await runtime.storage.put_file(key, path)
    try:
        replaced = await _record(runtime, day, file_id, key, rows, lines)
    except BaseException:
        await runtime.storage.delete(key)
        raise
    for old in replaced:
        await runtime.storage.delete(old)
    log.info("broadcast_history_saved", extra={"date": day.isoformat(), "broadcasts": len(rows)})
    return len(rows)


async def _record(
    runtime: Runtime,
    day: date,
    file_id: uuid.UUID,
    key: str,
    rows: list[dict[str, Any]],
    lines: list[Line],
) -> list[str]:
    async with acquire(runtime.connections) as conn, conn.transaction():
        history = BroadcastRepository(conn, runtime.queries)
        files = FileRepository(conn, runtime.queries)
        await history.lock_date(day)
        replaced = await history.delete_date(day)
        await FileService(files, runtime.storage).create(KIND, history_filename(day), file_id)
        await files.mark_processed(file_id, result_key=key, total=len(rows), clean=len(rows))
        await history.record(file_id, day, len(rows))
        await history.upsert_stats(rows, [line.broadcast.sent_at() for line in lines])
    return replaced


def _cost_window(day: date) -> Window:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return Window(start, start + timedelta(days=1))


async def push_costs(runtime: Runtime, day: date) -> CostPush:
    """The day's SMS cost (every state: a cancelled broadcast may have sent some) per
    Voluum campaign, one call per campaign, concurrently within Voluum's rate limit.

    Each (day, campaign) is claimed in `voluum_cost_pushes` before its call and its
    outcome recorded after: a retried job, a restart or a second container never sends a
    cost that was already sent (or is being sent); a cost that changed is sent again."""
    messagewhiz = runtime.clients.get(MessageWhizClient)
    voluum = runtime.clients.get(VoluumClient)
    snapshot = await take_snapshot(messagewhiz, day)
    now = datetime.now(UTC)
    campaigns: dict[str | None, list[Line]] = {}
    for broadcast in snapshot.broadcasts:
        line = line_of(broadcast, snapshot.links, now)
        campaigns.setdefault(line.campaign_id, []).append(line)
    unknown = campaigns.pop(None, [])
    costs = {campaign: _cost(lines) for campaign, lines in campaigns.items() if campaign}
    window = _cost_window(day)
    currency = runtime.settings.broadcasts.cost_currency
    claim = uuid.uuid4()
    async with acquire(runtime.connections) as conn:
        mine = await BroadcastRepository(conn, runtime.queries).claim_cost_pushes(
            day, costs, currency=currency, claim=claim, stale_seconds=COST_CLAIM_SECONDS
        )

    async def push(campaign_id: str) -> tuple[str, str, int]:
        try:
            status = await voluum.update_cost(
                campaign_id, window, costs[campaign_id], currency=currency
            )
        except UpstreamError as exc:
            # One campaign's failure is reported in its update, not the whole run's.
            return campaign_id, "failed", exc.upstream_status or exc.status_code
        return campaign_id, "no_visits" if status == 417 else "updated", status

    sent = await asyncio.gather(*(push(c) for c in costs if c in mine))
    async with acquire(runtime.connections) as conn:
        repository = BroadcastRepository(conn, runtime.queries)
        await repository.record_cost_pushes(day, claim, sent)
        earlier = await repository.cost_pushes(day, [c for c in costs if c not in mine])
    outcomes: dict[str, tuple[str, int | None]] = {c: (o, r) for c, o, r in sent}
    for campaign, (status, response) in earlier.items():
        # Not sent by this run: already sent with this cost, or being sent by another.
        pushing = status == "pushing"
        outcomes[campaign] = ("in_progress", None) if pushing else ("unchanged", response)
    updates = [
        CostUpdate(
            index=str(index),
            rows=len(campaigns[campaign]),
            campaign_id=campaign,
            total_cost=cost,
            chunk=campaigns[campaign][0].broadcast.name,
            response=outcomes[campaign][1],
            outcome=outcomes[campaign][0],  # type: ignore[arg-type]
        )
        for index, (campaign, cost) in enumerate(costs.items())
    ]
    skipped = (
        [
            SkippedCost(
                rows=len(unknown),
                total_cost=_cost(unknown),
                chunk=unknown[0].broadcast.name,
                broadcast_ids=[line.broadcast.id for line in unknown],
                reason="No Voluum campaign: the message has no {{link:ID}}, the link is "
                "unknown, or its URL path does not start with a campaign id",
            )
        ]
        if unknown
        else []
    )
    return CostPush(total_rows=len(updates), updates=updates, skipped=skipped, date=day)


def _cost(lines: Sequence[Line]) -> float:
    """MessageWhiz prices are in cents."""
    return round(sum((line.broadcast.real_price or 0) for line in lines) / 100, 2)
