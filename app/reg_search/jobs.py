"""The REG search job: one query (sql/reg_search/copy_registered_phones.sql) gives the
numbers that registered, each with whether it deposited; those that never did are the
result, one per line without a header (as before)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg
import polars as pl

from app.db import acquire
from app.files.jobs import FileJob, FileResult, FileRun
from app.jobs.kinds import JobFailedError
from app.offer_search.repository import OfferSearchRepository
from app.offer_search.window import Search
from app.reg_search.repository import RegSearchRepository

KIND = "reg_search"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegSearchResult(FileResult):
    outcomes: dict[str, int]


def reg_only(registered: Path, out: Path) -> dict[str, int]:
    """The numbers of `registered` (`phone,deposited` rows) that never deposited, into
    `out`; the numbers per outcome (`ftd`: deposited, `kept`)."""
    frame = pl.read_csv(
        registered,
        has_header=False,
        schema={"phone": pl.String, "deposited": pl.String},
        raise_if_empty=False,
    )
    kept = frame.filter(pl.col("deposited") == "f").select("phone")
    kept.write_csv(out, include_header=False)
    return {"ftd": frame.height - kept.height, "kept": kept.height}


class RegSearchJob(FileJob[Path, RegSearchResult]):
    file_kind = KIND
    job_kind = "reg_search.process"

    async def prepare(self, run: FileRun) -> Path:
        out = run.folder / "registered.csv"
        async with acquire(run.runtime.connections) as conn:
            found = await OfferSearchRepository(conn, run.runtime.queries).get(KIND, run.file_id)
            if found is None or found.country_code is None:
                raise JobFailedError("The search has no country")
            search = Search(found.country_code, found.from_date, found.to_date)
            await RegSearchRepository(conn, run.runtime.queries).copy_registered(
                out, search, list(run.payload["offers"])
            )
        return out

    def compute(self, run: FileRun, prepared: Path) -> RegSearchResult:
        out = run.folder / "reg_only.csv"
        outcomes = reg_only(prepared, out)
        return RegSearchResult(
            key=self.result_key(run.file_id),
            path=out,
            total=outcomes["ftd"] + outcomes["kept"],
            clean=outcomes["kept"],
            message=f"{outcomes['kept']} of {outcomes['ftd'] + outcomes['kept']} never deposited",
            outcomes=outcomes,
        )

    async def record(self, run: FileRun, result: RegSearchResult, conn: asyncpg.Connection) -> None:
        await OfferSearchRepository(conn, run.runtime.queries).record_outcomes(
            run.file_id, result.outcomes
        )


REG_SEARCH_JOB = RegSearchJob()
