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
    Voluum campaign, one call per campaign, concurrently within Voluum's rate limit."""
    messagewhiz = runtime.clients.get(MessageWhizClient)
    voluum = runtime.clients.get(VoluumClient)
    snapshot = await take_snapshot(messagewhiz, day)
    now = datetime.now(UTC)
    campaigns: dict[str | None, list[Line]] = {}
    for broadcast in snapshot.broadcasts:
        line = line_of(broadcast, snapshot.links, now)
        campaigns.setdefault(line.campaign_id, []).append(line)
    unknown = campaigns.pop(None, [])
    window = _cost_window(day)
    currency = runtime.settings.broadcasts.cost_currency

    async def push(index: int, campaign_id: str, lines: list[Line]) -> CostUpdate:
        cost = _cost(lines)
        try:
            status = await voluum.update_cost(campaign_id, window, cost, currency=currency)
            outcome = "no_visits" if status == 417 else "updated"
        except UpstreamError as exc:
            # One campaign's failure is reported in its update, not the whole run's.
            status, outcome = exc.upstream_status or exc.status_code, "failed"
        return CostUpdate(
            index=str(index),
            rows=len(lines),
            campaign_id=campaign_id,
            total_cost=cost,
            chunk=lines[0].broadcast.name,
            response=status,
            outcome=outcome,  # type: ignore[arg-type]
        )

    updates = await asyncio.gather(
        *(push(i, c, lines) for i, (c, lines) in enumerate(campaigns.items()) if c is not None)
    )
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
    return CostPush(total_rows=len(updates), updates=list(updates), skipped=skipped, date=day)


def _cost(lines: Sequence[Line]) -> float:
    """MessageWhiz prices are in cents."""
    return round(sum((line.broadcast.real_price or 0) for line in lines) / 100, 2)
