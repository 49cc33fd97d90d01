"""The two syncs as job work: the traffic report into the lists, and conversions into
their table and Ongage.

Each page is fetched with no transaction open, turned into rows off the event loop, and
written in its own short transaction; a sync never holds a transaction across a call to
Voluum. Progress counts pages fetched and rows stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import polars as pl

from app.clients.base import UpstreamError
from app.clients.ongage import OngageClient
from app.clients.voluum import EntityKind, RawReportPage, VoluumClient, Window
from app.db import acquire
from app.encryption.crypto import PhoneCipher
from app.errors import IntegrationDisabledError
from app.runtime import Runtime
from app.settings import VoluumSettings
from app.voluum import report
from app.voluum.conversions import conversion_rows, conversions_query
from app.voluum.frames import csv_bytes
from app.voluum.push import ConversionPush, PushCounts
from app.voluum.report import report_query, report_rows
from app.voluum.repository import Unnamed, VoluumRepository
from app.voluum.rules import OsRule

log = logging.getLogger(__name__)

Progress = Callable[[int, str], Awaitable[None]]
# Names looked up per sync at most: each is one call to Voluum.
_NAME_LOOKUPS = 100
_NAME_LOOKBACK_HOURS = 48
# A failed lookup is tried again after this long: a few times within the lookback.
_NAME_RETRY_HOURS = 6
# Lookups failing one after another mean Voluum is down, not that the ids are bad.
_NAME_ERRORS_IN_A_ROW = 5


@dataclass(slots=True)
class Tally:
    pages: int = 0
    rows: int = 0
    invalid_phones: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def message(self) -> str:
        return f"{self.pages} pages fetched, {self.rows} rows stored"


async def ahead(pages: AsyncIterator[RawReportPage]) -> AsyncIterator[RawReportPage]:
    """The pages of `pages`, each yielded while the next one is already being fetched:
    Voluum builds the next page while this one is parsed and written."""
    following = asyncio.ensure_future(anext(pages, None))
    try:
        while (page := await following) is not None:
            following = asyncio.ensure_future(anext(pages, None))
            yield page
    finally:
        if not following.done():
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following


class _Writer:
    """Writes traffic pages one at a time, each while the caller prepares the next."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._pending: asyncio.Task[None] | None = None

    def start(self, csv: io.BytesIO) -> None:
        """Starts writing `csv`; the caller flushes the previous page first."""
        assert self._pending is None
        self._pending = asyncio.create_task(self._copy(csv))

    async def flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def _copy(self, csv: io.BytesIO) -> None:
        async with acquire(self._runtime.connections) as conn:
            await VoluumRepository(conn, self._runtime.queries).add_traffic(csv)

    async def __aenter__(self) -> _Writer:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            await self.flush()
        elif self._pending is not None:
            self._pending.cancel()
            with contextlib.suppress(BaseException):
                await self._pending


class VoluumSync:
    def __init__(self, runtime: Runtime, job_id: UUID, progress: Progress) -> None:
        settings = runtime.settings
        if settings.voluum is None:
            raise IntegrationDisabledError("voluum", VoluumClient.settings_hint)
        self._runtime = runtime
        self._voluum: VoluumSettings = settings.voluum
        self._client = runtime.clients.get(VoluumClient)
        self._job_id = job_id
        self._progress = progress
        self._cipher = PhoneCipher(settings.encryption.key_bytes()) if settings.encryption else None
        self._code = settings.phones.default_calling_code

    def _repository(self, conn: Any) -> VoluumRepository:
        return VoluumRepository(conn, self._runtime.queries)

    async def _step(self, tally: Tally) -> None:
        await self._progress(tally.rows, tally.message())

    # --- the traffic report --------------------------------------------------------

    async def reports(self, windows: Sequence[Window]) -> dict[str, Any]:
        """Every configured traffic source's report over `windows`, stored, then the
        lists updated from it in one statement."""
        sources = self._voluum.traffic_source_ids
        async with acquire(self._runtime.connections) as conn:
            repository = self._repository(conn)
            rules = await repository.rules()
            await repository.forget_traffic(self._job_id)
        tally = Tally(extra={"unknown_os": 0})
        async with _Writer(self._runtime) as writer:
            for window, source in itertools.product(windows, sources):
                query = report_query(
                    window,
                    source,
                    tz=self._voluum.timezone,
                    currency=self._voluum.currency,
                    page_size=self._voluum.page_size,
                )
                async for page in ahead(self._client.report_json(query)):
                    frame, csv = await asyncio.to_thread(self._traffic, page, rules)
                    # The previous page is written by now: its rows count as stored.
                    await writer.flush()
                    await self._step(tally)
                    # This page is written while the next one is parsed.
                    writer.start(csv)
                    tally.pages += 1
                    tally.rows += frame.height
                    tally.invalid_phones += int(frame["invalid_reason"].is_not_null().sum())
                    tally.extra["unknown_os"] += int((frame["category"] == "UNKNOWN").sum())
        await self._step(tally)
        async with acquire(self._runtime.connections) as conn, conn.transaction():
            lists = await self._repository(conn).update_lists(
                self._job_id, evidence_until=max(window.end for window in windows)
            )
        log.info("voluum_reports_synced", extra={"rows": tally.rows, "lists": lists})
        return {
            "row_counts": {
                "blacklist_rows": lists.get("blacklist", 0),
                "monitor_rows": lists.get("monitor", 0),
                "whitelist_rows": lists.get("whitelist", 0),
            },
            "details": {
                "traffic_sources": len(sources),
                "pages": tally.pages,
                "rows_stored": tally.rows,
                "invalid_phones": tally.invalid_phones,
                "unknown_os_versions": tally.extra["unknown_os"],
            },
        }

    def _traffic(
        self, page: RawReportPage, rules: Sequence[OsRule]
    ) -> tuple[pl.DataFrame, io.BytesIO]:
        """One page as traffic rows, and as the CSV they are copied in with (off the loop)."""
        frame = report_rows(
            page.rows_json(),
            rules,
            job_id=str(self._job_id),
            cipher=self._cipher,
            default_code=self._code,
        )
        return frame, csv_bytes(frame, report.COLUMNS)

    # --- conversions ---------------------------------------------------------------

    async def conversions(self, windows: Sequence[Window], *, retry: bool) -> dict[str, Any]:
        """Conversions over `windows`, each stored once; the new ones (and with `retry`
        the ones left before) pushed to Ongage."""
        tally = Tally(extra={"new": 0, "skipped": 0})
        new_pending: list[UUID] = []
        for window in windows:
            query = conversions_query(
                window,
                tz=self._voluum.timezone,
                currency=self._voluum.currency,
                page_size=self._voluum.page_size,
            )
            async for page in ahead(self._client.conversions_json(query)):
                tally.pages += 1
                if page.rows:
                    frame = await asyncio.to_thread(
                        conversion_rows,
                        page.rows_json(),
                        tz=self._voluum.timezone,
                        sync=self._runtime.settings.voluum_sync,
                        cipher=self._cipher,
                        default_code=self._code,
                    )
                    async with acquire(self._runtime.connections) as conn:
                        repository = self._repository(conn)
                        await self._save_names(repository, frame)
                        stored = await repository.add_conversions(frame)
                    tally.rows += frame.height
                    tally.invalid_phones += int(frame["invalid_reason"].is_not_null().sum())
                    tally.extra["new"] += len(stored)
                    tally.extra["skipped"] += sum(s.push_status == "skipped" for s in stored)
                    new_pending += [s.id for s in stored if s.push_status == "pending"]
                await self._step(tally)
        counts, ongage = await self._push(new_pending, retry=retry)
        log.info(
            "voluum_conversions_synced",
            extra={"rows": tally.rows, "pushed": counts.pushed, "failed": counts.failed},
        )
        return {
            "row_counts": {"successful_rows": counts.pushed, "unsuccessful_rows": counts.failed},
            "details": {
                "pages": tally.pages,
                "conversions_fetched": tally.rows,
                "conversions_new": tally.extra["new"],
                "invalid_phones": tally.invalid_phones,
                "push_skipped": tally.extra["skipped"],
                "ongage": ongage,
            },
        }

    async def _push(self, ids: list[UUID], *, retry: bool) -> tuple[PushCounts, str]:
        try:
            client = self._runtime.clients.get(OngageClient)
        except IntegrationDisabledError:
            # Left pending: the schedule pushes them once Ongage is configured.
            return PushCounts(), "disabled"
        push = ConversionPush(
            connections=self._runtime.connections,
            sql=self._runtime.queries,
            client=client,
            settings=self._runtime.settings.voluum_sync,
        )
        return await push.push(ids, retry=retry), "enabled"

    async def _save_names(self, repository: VoluumRepository, frame: pl.DataFrame) -> None:
        """Offer and campaign names as the conversions carry them."""
        for kind in ("offer", "campaign"):
            pairs = frame.select(f"{kind}_id", f"{kind}_name").drop_nulls(f"{kind}_id").unique()
            if pairs.height:
                await repository.save_names(
                    kind, pairs[f"{kind}_id"].to_list(), pairs[f"{kind}_name"].to_list()
                )

    async def refresh_names(self) -> None:
        """Names for the ids seen lately (live events, conversions) that have none. Run
        after the push and the watermark, and never failing the sync: a lookup that fails
        (an error, or an id Voluum does not know) is logged, remembered and left alone
        for a while, so the same failing ids are not asked on every tick."""
        async with acquire(self._runtime.connections) as conn:
            unnamed = await self._repository(conn).unnamed(
                hours=_NAME_LOOKBACK_HOURS, retry_hours=_NAME_RETRY_HOURS, limit=_NAME_LOOKUPS
            )
        found: dict[str, dict[str, str]] = {"offer": {}, "campaign": {}}
        failed: list[tuple[Unnamed, str]] = []
        errors_in_a_row = 0
        for entity in unnamed:
            kind: EntityKind = "offer" if entity.kind == "offer" else "campaign"
            try:
                name = await self._client.entity_name(kind, entity.id)
            except (UpstreamError, ValueError) as exc:
                log.warning(
                    "voluum_name_lookup_failed",
                    extra={"kind": kind, "entity_id": entity.id, "error": str(exc)},
                )
                failed.append((entity, str(exc)[:500]))
                errors_in_a_row = errors_in_a_row + 1 if isinstance(exc, UpstreamError) else 0
                if errors_in_a_row >= _NAME_ERRORS_IN_A_ROW:
                    # Voluum itself is failing, not these ids: the rest wait for a tick.
                    log.warning("voluum_name_lookups_stopped", extra={"errors": errors_in_a_row})
                    break
                continue
            errors_in_a_row = 0
            if name is None:
                failed.append((entity, "unknown to Voluum"))
            else:
                found[kind][entity.id] = name
        async with acquire(self._runtime.connections) as conn:
            repository = self._repository(conn)
            for of, named in found.items():
                if named:
                    await repository.save_names(of, list(named), list(named.values()))
            if failed:
                await repository.name_failures(failed)
