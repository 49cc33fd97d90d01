"""MessageWhiz broadcasts at their old paths (legacy-contract §1.7): the live stream, the
daily save, the cost push and the saved days.

The old GETs with side effects stay (deprecated in OpenAPI) beside a POST twin; both need
the write scope, so a prefetch or a crawler with a read key cannot trigger them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import ServerSentEvent, Stream
from litestar.status_codes import HTTP_200_OK

from app.broadcasts.daily import KIND, push_costs, save_history, yesterday
from app.broadcasts.hub import hub_of
from app.broadcasts.repository import BroadcastRepository
from app.broadcasts.schemas import BroadcastCount, CostPush, HistoryFile, HistoryList
from app.broadcasts.stream import EncodedEvents, live_frames, stream_lines
from app.db import acquire
from app.errors import BadRequestError
from app.files.controller import csv_download
from app.files.repository import FileRepository
from app.files.service import FileService
from app.integrations import requires
from app.runtime import Runtime

NEEDS_MMD = requires("messagewhiz", "MMD_API_KEY")
NEEDS_VOLUUM = requires("voluum", "VOLUUM_ACCESS_ID and VOLUUM_ACCESS_KEY")
_WRITE = {"scope": "write"}
_OLD_GET = "Deprecated: a GET with side effects (a prefetch could run it). Use POST."
PreviousDate = Annotated[
    date, QueryParameter(description="The day to save (UTC), YYYY-MM-DD", required=True)
]
# The old service kept every saved day; the list is the newest this many.
HISTORY_LIMIT = 1000
# MessageWhiz's API v3 is younger than this; an earlier day can only be a typo.
FIRST_DAY = date(2015, 1, 1)


def _past_day(day: date) -> date:
    """A day that can have broadcasts: not in the future, not before FIRST_DAY (a typo
    would otherwise save an empty history file for it)."""
    if not FIRST_DAY <= day <= datetime.now(UTC).date():
        raise BadRequestError(f"previous_date must be a day from {FIRST_DAY} to today (UTC)")
    return day


class BroadcastStreamController(Controller):
    tags = ("broadcasts",)
    guards = [NEEDS_MMD, NEEDS_VOLUUM]  # noqa: RUF012 - Litestar's own attribute

    @get(
        "/get-live-broadcasts-stream",
        summary="Today's broadcasts against Voluum, live (Server-Sent Events)",
        opt={"stream": True},
    )
    async def live_stream(
        self, runtime: NamedDependency[Runtime], search: FromQuery[str | None] = None
    ) -> ServerSentEvent:
        """Unnamed `data:` frames (`row`, `error`, `broadcast_done`) per broadcast group,
        then `event: done` / `data: completed`. `search` filters names (any case).
        Accepts `?token=` from /auth/stream-token. The day's broadcasts are read before
        the stream starts, so a MessageWhiz failure is a plain 502."""
        now = datetime.now(UTC)
        hub = hub_of(runtime)
        snapshot = await hub.snapshots.get(now.date())
        lines = stream_lines(snapshot, search, now)
        heartbeat = runtime.settings.broadcasts.heartbeat_seconds
        frames = live_frames(hub, lines, heartbeat_seconds=heartbeat, cache=snapshot.frames)
        return EncodedEvents(frames)


class BroadcastDailyController(Controller):
    tags = ("broadcasts",)
    guards = [NEEDS_MMD, NEEDS_VOLUUM]  # noqa: RUF012 - Litestar's own attribute
    opt = _WRITE

    @post(
        "/save-data-for-previous-date",
        status_code=HTTP_200_OK,
        summary="Save yesterday's broadcasts",
    )
    async def save_previous(self, runtime: NamedDependency[Runtime]) -> BroadcastCount:
        """Yesterday (UTC): the history file (replacing that day's) and the stats rows."""
        return BroadcastCount(await save_history(runtime, yesterday(datetime.now(UTC))))

    @get("/save-data-for-previous-date", deprecated=True, summary="Save yesterday's broadcasts")
    async def save_previous_get(self, runtime: NamedDependency[Runtime]) -> BroadcastCount:
        """The old GET of the POST route."""
        return BroadcastCount(await save_history(runtime, yesterday(datetime.now(UTC))))

    @post(
        "/save-data-for-specific-date",
        status_code=HTTP_200_OK,
        summary="Save one day's broadcasts",
    )
    async def save_date(
        self, runtime: NamedDependency[Runtime], previous_date: PreviousDate
    ) -> BroadcastCount:
        """`previous_date` (UTC): the history file (replacing that day's) and the stats."""
        return BroadcastCount(await save_history(runtime, _past_day(previous_date)))

    @get("/save-data-for-specific-date", deprecated=True, summary="Save one day's broadcasts")
    async def save_date_get(
        self, runtime: NamedDependency[Runtime], previous_date: PreviousDate
    ) -> BroadcastCount:
        """The old GET of the POST route."""
        return BroadcastCount(await save_history(runtime, _past_day(previous_date)))

    @post("/update-costs-for-mmd", status_code=HTTP_200_OK, summary="Push yesterday's SMS costs")
    async def update_costs(self, runtime: NamedDependency[Runtime]) -> CostPush:
        """Yesterday's MessageWhiz cost per Voluum campaign, one call each; `response` is
        Voluum's status (417: no visits, nothing to update). Broadcasts without a
        campaign are listed in `skipped`."""
        return await push_costs(runtime, yesterday(datetime.now(UTC)))

    @get("/update-costs-for-mmd", deprecated=True, summary="Push yesterday's SMS costs")
    async def update_costs_get(self, runtime: NamedDependency[Runtime]) -> CostPush:
        """The old GET of the POST route."""
        return await push_costs(runtime, yesterday(datetime.now(UTC)))


class BroadcastHistoryController(Controller):
    tags = ("broadcasts",)

    @get("/files-broadcasts", summary="The saved days")
    async def list_history(self, runtime: NamedDependency[Runtime]) -> HistoryList:
        """Newest first; `data_date` is the old string, `date` the day itself."""
        async with acquire(runtime.connections) as conn:
            items = await BroadcastRepository(conn, runtime.queries).list(limit=HISTORY_LIMIT)
        return HistoryList([HistoryFile.of(item) for item in items])

    @get("/{file_id:uuid}/download-broadcasts-history", summary="Download a saved day")
    async def download(self, runtime: NamedDependency[Runtime], file_id: FromPath[UUID]) -> Stream:
        """The day's CSV, named `MMD_Data_YYYY-MM-DD.csv`."""
        async with acquire(runtime.connections) as conn:
            files = FileService(FileRepository(conn, runtime.queries), runtime.storage)
            record, stream = await files.download(KIND, file_id)
        return csv_download(stream, record.original_filename)
