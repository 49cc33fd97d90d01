"""The live dashboard's frames (legacy-contract §1.7), fed by the shared hub.

Unnamed `data:` frames (`row`, `error`, `broadcast_done`), then `event: done` with
`data: completed`. Every Voluum window of the stream is joined at once, so later groups
are fetched while earlier ones are sent; frames still come out in the old order (groups
in first-seen order, rows in list order). Comment lines keep a slow stream open. The
stream holds no database connection and, once closed, no upstream interest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

import msgspec
from litestar.response import ServerSentEventMessage

from app.broadcasts.hub import BroadcastHub, Snapshot
from app.broadcasts.rows import Line, Totals, TotalsKey, grouped, line_of, row, shown
from app.errors import AppError

log = logging.getLogger(__name__)

DONE = ServerSentEventMessage(event="done", data="completed")
# data=None: a heartbeat must not be an (empty) message event in the browser.
HEARTBEAT = ServerSentEventMessage(comment="keep-alive", data=None)


def _frame(payload: dict[str, object]) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(payload).decode())


def stream_lines(snapshot: Snapshot, search: str | None, now: datetime) -> list[Line]:
    return [line_of(b, snapshot.links, now) for b in shown(snapshot.broadcasts, search)]


async def live_frames(
    hub: BroadcastHub, lines: Sequence[Line], *, heartbeat_seconds: float
) -> AsyncIterator[ServerSentEventMessage]:
    """The frames of one stream; closing the iterator leaves every fetch it joined."""
    joined: dict[TotalsKey, asyncio.Task[Totals | None]] = {}
    try:
        for line in lines:
            key = line.totals_key
            if key is not None and key not in joined:
                joined[key] = hub.totals.join(key)
        for group, members in grouped(lines):
            for line in members:
                key = line.totals_key
                task = joined.get(key) if key is not None else None
                if task is not None:
                    while not task.done():
                        await asyncio.wait({task}, timeout=heartbeat_seconds)
                        if not task.done():
                            yield HEARTBEAT
                yield _line_frame(line, task)
            yield _frame({"type": "broadcast_done", "broadcast": group})
        yield DONE
    finally:
        for key, task in joined.items():
            hub.totals.leave(key, task)


def _line_frame(line: Line, task: asyncio.Task[Totals | None] | None) -> ServerSentEventMessage:
    if task is None:
        return _frame({"type": "row", "broadcast": line.group, "row": row(line, None)})
    if task.cancelled():
        error = "Voluum totals were cancelled"
    elif (exc := task.exception()) is not None:
        # An AppError's detail names the vendor and the call, never a secret.
        error = exc.detail if isinstance(exc, AppError) else "Voluum totals failed"
        if not isinstance(exc, AppError):
            log.error("broadcast_totals_failed", exc_info=exc)
    elif (totals := task.result()) is None:
        error = "Voluum returned no totals"
    else:
        return _frame({"type": "row", "broadcast": line.group, "row": row(line, totals)})
    return _frame({"type": "error", "broadcast": line.group, "error": error})
