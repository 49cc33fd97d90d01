"""SQL of HLR runs, the reusable answers, the outcomes and the risky operators."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import msgspec

from app.db import Repository
from app.errors import AppError, ConflictError
from app.hlr.schemas import HlrRun, RiskyOperator

# What the lists' `source` says of an HLR decision (the old service's value).
DECISION_SOURCE = "CSV_CLEAN_UPLOAD"
RESULT_STAGING = "hlr_result_staging"
PHONE_STAGING = "hlr_phones"


class AnotherHlrRunningError(ConflictError):
    detail = "Another file is already running HLR"


class Decisions(msgspec.Struct, frozen=True):
    decided: int
    written: int
    # Earlier HLR entries of numbers that now answer live, taken off their list.
    released: int = 0


class HlrRepository(Repository):
    domain = "hlr"
    queries = (
        "start_hlr",
        "get_hlr",
        "plan_hlr",
        "record_hlr_batch_id",
        "mark_hlr_source_uploaded",
        "mark_hlr_started",
        "report_hlr_progress",
        "finish_hlr",
        "fail_hlr",
        "add_hlr_keys",
        "create_hlr_staging",
        "create_hlr_outcome_staging",
        "empty_hlr_staging",
        "copy_hlr_phones_to_send",
        "fill_hlr_outcomes",
        "count_hlr_outcomes",
        "copy_hlr_live_phones",
        "upsert_hlr_decisions",
        "release_hlr_decisions",
        "create_hlr_result_staging",
        "empty_hlr_result_staging",
        "upsert_hlr_results",
    )
    constraint_errors: ClassVar[Mapping[str, Callable[[], AppError]]] = {
        "hlr_batches_one_active_idx": AnotherHlrRunningError
    }

    async def start(self, file_id: UUID, *, job_id: UUID) -> HlrRun | None:
        return await self._fetch_one("start_hlr", HlrRun, file_id=file_id, job_id=job_id)

    async def get(self, file_id: UUID) -> HlrRun | None:
        return await self._fetch_one("get_hlr", HlrRun, file_id=file_id)

    async def plan(
        self,
        file_id: UUID,
        *,
        job_id: UUID,
        mode: str,
        num_items: int,
        num_cached: int,
        num_sent: int,
    ) -> HlrRun | None:
        return await self._fetch_one(
            "plan_hlr",
            HlrRun,
            file_id=file_id,
            job_id=job_id,
            mode=mode,
            num_items=num_items,
            num_cached=num_cached,
            num_sent=num_sent,
        )

    async def _step(self, query: str, file_id: UUID, job_id: UUID, **values: Any) -> bool:
        """A step of the run, by the job that holds it; False when it no longer does."""
        done = await self._fetch_value(query, file_id=file_id, job_id=job_id, **values)
        return done is not None

    async def record_batch_id(
        self, file_id: UUID, *, job_id: UUID, batch_id: str, replaces: str | None
    ) -> bool:
        return await self._step(
            "record_hlr_batch_id", file_id, job_id, batch_id=batch_id, replaces=replaces
        )

    async def mark_source_uploaded(self, file_id: UUID, *, job_id: UUID) -> bool:
        return await self._step("mark_hlr_source_uploaded", file_id, job_id)

    async def mark_started(self, file_id: UUID, *, job_id: UUID) -> bool:
        return await self._step("mark_hlr_started", file_id, job_id)

    async def report_progress(self, file_id: UUID, *, job_id: UUID, num_complete: int) -> bool:
        return await self._step("report_hlr_progress", file_id, job_id, num_complete=num_complete)

    async def finish(
        self,
        file_id: UUID,
        *,
        job_id: UUID,
        result_key: str,
        raw_key: str | None,
        credits_spent: float,
        outcomes: dict[str, int],
    ) -> HlrRun | None:
        return await self._fetch_one(
            "finish_hlr",
            HlrRun,
            file_id=file_id,
            job_id=job_id,
            result_key=result_key,
            raw_key=raw_key,
            credits_spent=credits_spent,
            outcomes=outcomes,
        )

    async def fail(self, *, job_id: UUID, error: str) -> bool:
        return await self._fetch_value("fail_hlr", job_id=job_id, error=error) is not None

    async def add_keys(self, file_id: UUID, keys: list[str]) -> None:
        await self._execute("add_hlr_keys", file_id=file_id, keys=keys)

    async def stage_phones(self, phones_csv: Path) -> None:
        """The run's numbers (`phone,position` rows) into the staging, emptied first;
        only inside a transaction (the staging empties at commit)."""
        await self._execute("create_hlr_staging")
        await self._execute("create_hlr_outcome_staging")
        await self._execute("empty_hlr_staging")
        await self._copy_in(PHONE_STAGING, phones_csv)

    async def copy_phones_to_send(self, out: Path, *, fresh_since: datetime) -> None:
        await self._copy_out("copy_hlr_phones_to_send", out, fresh_since=fresh_since)

    async def outcomes(self, *, fresh_since: datetime) -> dict[str, int]:
        """Each staged number's outcome into the outcome staging; the count of each."""
        await self._execute("fill_hlr_outcomes", fresh_since=fresh_since)
        query = self._query("count_hlr_outcomes")
        return {r["outcome"]: r["numbers"] for r in await self.conn.fetch(query.sql)}

    async def copy_live_phones(self, out: Any) -> None:
        await self._copy_out("copy_hlr_live_phones", out)

    async def write_decisions(self) -> Decisions:
        """The staged outcomes onto the lists (sql/hlr/upsert_hlr_decisions.sql)."""
        found = await self._fetch_one("upsert_hlr_decisions", Decisions, source=DECISION_SOURCE)
        assert found is not None  # an aggregate: always one row
        released = int(await self._fetch_value("release_hlr_decisions"))
        return msgspec.structs.replace(found, released=released)

    async def save_results(self, results_csv: Path) -> int:
        """The answers (a CSV in hlr_result_staging's columns) become reusable ones."""
        await self._execute("create_hlr_result_staging")
        await self._execute("empty_hlr_result_staging")
        await self._copy_in(RESULT_STAGING, results_csv)
        return int(await self._fetch_value("upsert_hlr_results"))


class RiskyOperatorRepository(Repository):
    domain = "hlr"
    queries = ("list_risky_operators", "delete_risky_operators", "insert_risky_operators")

    async def listed(self) -> list[RiskyOperator]:
        return await self._fetch_all("list_risky_operators", RiskyOperator)

    async def replace(self, names: list[str]) -> int:
        """The list becomes `names`; how many distinct operators it now has."""
        async with self.transaction():
            await self._execute("delete_risky_operators")
            return int(await self._fetch_value("insert_risky_operators", names=names))
