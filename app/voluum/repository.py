"""SQL of the Voluum syncs: traffic rows and the lists, conversions and their pushes,
the OS-version rules, names, watermarks and results. Bulk rows go in by COPY."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import polars as pl

from app.db import Repository
from app.voluum import conversions, report
from app.voluum.frames import csv_bytes
from app.voluum.rules import OsRule


class ListCount(msgspec.Struct, frozen=True):
    list_name: str
    rows: int


class NewConversion(msgspec.Struct, frozen=True):
    id: UUID
    push_status: str


class Unnamed(msgspec.Struct, frozen=True):
    kind: str
    id: str


class Recorded(msgspec.Struct, frozen=True):
    id: UUID
    push_status: str


class Watermark(msgspec.Struct, frozen=True):
    synced_until: datetime


class StoredResult(msgspec.Struct, frozen=True):
    result: dict[str, Any]


class PushRow(msgspec.Struct, frozen=True):
    """A conversion claimed for Ongage, with what its contact is made of."""

    id: UUID
    generated_email: str | None
    custom_variable_1: str | None
    custom_variable_2: str | None
    custom_variable_3: str | None
    country_code: str | None
    country_name: str | None
    ip: str | None
    language: str | None
    source: str | None
    conversion_type: str
    click_id: str
    campaign_name: str | None
    campaign_id: str | None
    offer_name: str | None
    offer_id: str | None
    lander_name: str | None
    traffic_source_id: str | None
    traffic_source_name: str | None
    transaction_id: str | None
    device_name: str | None
    os: str | None
    browser: str | None
    revenue: float | None
    external_id: str | None
    postback_timestamp: datetime | None
    visit_timestamp: datetime | None


class VoluumRepository(Repository):
    domain = "voluum"
    queries = (
        "list_os_rules",
        "delete_os_rules",
        "insert_os_rules",
        "delete_job_traffic",
        "update_lists_from_traffic",
        "create_conversion_staging",
        "insert_conversions",
        "upsert_offer_names",
        "upsert_campaign_names",
        "list_unnamed_entities",
        "record_name_failures",
        "claim_pushes",
        "record_pushes",
        "release_pushes",
        "get_watermark",
        "set_watermark",
        "save_sync_result",
        "get_sync_result",
    )

    # --- rules ---------------------------------------------------------------------

    async def rules(self) -> list[OsRule]:
        return await self._fetch_all("list_os_rules", OsRule)

    async def replace_rules(self, rules: Sequence[OsRule]) -> None:
        async with self.transaction():
            await self._execute("delete_os_rules")
            await self._execute(
                "insert_os_rules",
                positions=[r.position for r in rules],
                list_names=[r.list_name for r in rules],
                os_names=[r.os_name for r in rules],
                name_contains=[r.name_contains for r in rules],
                full_equals=[r.full_equals for r in rules],
                full_contains=[r.full_contains for r in rules],
                min_majors=[r.min_major for r in rules],
                max_majors=[r.max_major for r in rules],
                notes=[r.note for r in rules],
            )

    # --- traffic -------------------------------------------------------------------

    async def forget_traffic(self, job_id: UUID) -> None:
        await self._execute("delete_job_traffic", job_id=job_id)

    async def add_traffic(self, csv: io.BytesIO) -> None:
        """One page of traffic rows (CSV of report.COLUMNS), appended by COPY."""
        await self.conn.copy_to_table(
            "api_voluum_ts_sources",
            source=csv,
            columns=list(report.COLUMNS),
            format="csv",
        )

    async def update_lists(self, job_id: UUID, *, evidence_until: datetime) -> dict[str, int]:
        """The lists from this job's traffic rows, seen up to `evidence_until`; rows
        written per list."""
        counts = await self._fetch_all(
            "update_lists_from_traffic", ListCount, job_id=job_id, evidence_until=evidence_until
        )
        return {c.list_name: c.rows for c in counts}

    # --- conversions ---------------------------------------------------------------

    async def add_conversions(self, rows: pl.DataFrame) -> list[NewConversion]:
        """One page of conversions (conversions.COLUMNS); the ones not stored before."""
        async with self.transaction():
            await self._execute("create_conversion_staging")
            await self.conn.copy_to_table(
                "conversion_staging",
                source=csv_bytes(rows, conversions.COLUMNS),
                columns=list(conversions.COLUMNS),
                format="csv",
            )
            return await self._fetch_all("insert_conversions", NewConversion)

    async def save_names(self, kind: str, ids: Sequence[str], names: Sequence[str | None]) -> None:
        query = "upsert_offer_names" if kind == "offer" else "upsert_campaign_names"
        await self._execute(query, ids=list(ids), names=list(names))

    async def unnamed(self, *, hours: int, retry_hours: int, limit: int) -> list[Unnamed]:
        return await self._fetch_all(
            "list_unnamed_entities", Unnamed, hours=hours, retry_hours=retry_hours, limit=limit
        )

    async def name_failures(self, failed: Sequence[tuple[Unnamed, str]]) -> None:
        await self._execute(
            "record_name_failures",
            kinds=[entity.kind for entity, _ in failed],
            ids=[entity.id for entity, _ in failed],
            reasons=[reason for _, reason in failed],
        )

    async def claim_pushes(
        self,
        ids: list[UUID],
        *,
        claim: UUID,
        countries: Sequence[str],
        retry: bool,
        max_retries: int,
        started: datetime,
        stale_seconds: float,
        limit: int,
    ) -> list[PushRow]:
        return await self._fetch_all(
            "claim_pushes",
            PushRow,
            ids=ids,
            claim=claim,
            countries=list(countries),
            retry=retry,
            max_retries=max_retries,
            started=started,
            stale_seconds=stale_seconds,
            limit=limit,
        )

    async def record_pushes(
        self, claim: UUID, ids: list[UUID], statuses: list[str], reasons: list[str | None]
    ) -> list[Recorded]:
        """The outcomes written: only rows `claim` still holds."""
        return await self._fetch_all(
            "record_pushes", Recorded, claim=claim, ids=ids, statuses=statuses, reasons=reasons
        )

    async def release_pushes(self, claim: UUID, ids: list[UUID]) -> None:
        await self._execute("release_pushes", claim=claim, ids=ids)

    # --- watermarks and results ----------------------------------------------------

    async def watermark(self, name: str) -> datetime | None:
        found = await self._fetch_one("get_watermark", Watermark, name=name)
        return None if found is None else found.synced_until

    async def set_watermark(self, name: str, synced_until: datetime) -> None:
        await self._execute("set_watermark", name=name, synced_until=synced_until)

    async def save_result(self, job_id: UUID, result: dict[str, Any]) -> None:
        await self._execute("save_sync_result", job_id=job_id, result=result)

    async def result(self, job_id: UUID) -> dict[str, Any] | None:
        found = await self._fetch_one("get_sync_result", StoredResult, job_id=job_id)
        return None if found is None else found.result
