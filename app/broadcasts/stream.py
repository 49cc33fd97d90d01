"""The live dashboard's frames (legacy-contract §1.7), fed by the shared hub.

Unnamed `data:` frames (`row`, `error`, `broadcast_done`), then `event: done` with
`data: completed`. Every Voluum window of the stream is joined at once, so later groups
are fetched while earlier ones are sent; frames still come out in the old order (groups
in first-seen order, rows in list order). Comment lines keep a slow stream open. The
stream holds no database connection and, once closed, no upstream interest.

A thousand dashboards send the same frames: each frame is encoded once per snapshot and
shared, and the frames ready at one moment leave in one chunk (one write, not one per
frame), which is what keeps a thousand streams from starving the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, MutableMapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from litestar.response import ServerSentEvent, Stream

from app.broadcasts.hub import BroadcastHub, Snapshot
from app.broadcasts.rows import Line, Totals, TotalsKey, grouped, line_of, row, shown
from app.clients.voluum import floor_hour
from app.errors import AppError

log = logging.getLogger(__name__)

DONE = b"event: done\r\ndata: completed\r\n\r\n"
# A comment, not an (empty) message event in the browser.
HEARTBEAT = b": keep-alive\r\n\r\n"

FrameCache = MutableMapping[tuple[int, Any], bytes]


class EncodedEvents(ServerSentEvent):
    """Server-Sent Events whose frames are already encoded; a chunk may hold several."""

    def __init__(self, content: AsyncIterator[bytes]) -> None:
        # Stream's own constructor: ServerSentEvent's would encode each chunk as `data:`.
        Stream.__init__(self, content=content, media_type="text/event-stream")
        self.headers.setdefault("Cache-Control", "no-cache")
        self.headers["Connection"] = "keep-alive"
        # Proxies (nginx) pass each chunk on at once.
        self.headers["X-Accel-Buffering"] = "no"


def _frame(payload: dict[str, object]) -> bytes:
    return b"data: " + msgspec.json.encode(payload) + b"\r\n\r\n"


# Searches remembered per snapshot, at most: any text can be searched for.
MAX_CACHED_SEARCHES = 64


def stream_lines(snapshot: Snapshot, search: str | None, now: datetime) -> list[Line]:
    """The lines a stream shows; the same for every stream of a (search, hour), so they
    are made once (parsing 200 broadcasts per stream cost more than sending them)."""
    key = ((search or "").casefold(), floor_hour(now))
    lines = snapshot.lines.get(key)
    if lines is None:
        lines = [line_of(b, snapshot.links, now) for b in shown(snapshot.broadcasts, search)]
        if len(snapshot.lines) < MAX_CACHED_SEARCHES:
            snapshot.lines[key] = lines
    return lines


async def live_frames(
    hub: BroadcastHub,
    lines: Sequence[Line],
    *,
    heartbeat_seconds: float,
    cache: FrameCache | None = None,
) -> AsyncIterator[bytes]:
    """The encoded frames of one stream; closing it leaves every fetch it joined.
    `cache`: frames already encoded by other streams of the same snapshot."""
    frames: FrameCache = cache if cache is not None else {}
    joined: dict[TotalsKey, asyncio.Task[Totals | None]] = {}
    ready: list[bytes] = []
    try:
        for line in lines:
            key = line.totals_key
            if key is not None and key not in joined:
                joined[key] = hub.totals.join(key)
        for group, members in grouped(lines):
            for line in members:
                key = line.totals_key
                task = joined.get(key) if key is not None else None
                if task is not None and not task.done():
                    if ready:
                        yield b"".join(ready)
                        ready.clear()
                    while not task.done():
                        await asyncio.wait({task}, timeout=heartbeat_seconds)
                        if not task.done():
                            yield HEARTBEAT
                cached = (line.broadcast.id, task)
                encoded = frames.get(cached)
                if encoded is None:
                    encoded = frames[cached] = _line_frame(line, task)
                ready.append(encoded)
            ready.append(_frame({"type": "broadcast_done", "broadcast": group}))
        ready.append(DONE)
        yield b"".join(ready)
    finally:
        for key, task in joined.items():
            hub.totals.leave(key, task)


def _line_frame(line: Line, task: asyncio.Task[Totals | None] | None) -> bytes:
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
