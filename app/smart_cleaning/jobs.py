"""The smart-cleaning job: what the chosen offers exclude, read by one COPY each (the
conversions, the live events), then one polars pass over the file, cleaning's own
(`sift`), by smart cleaning's rules.

A row is removed, first match wins, as `invalid`, `duplicate` (of an earlier row, in any
format), `ftd` (the number deposited on a chosen offer), `reg` (it registered on one,
with `filter_regs`) or `last_24h` (a live event on a chosen offer in the last 24 hours,
with `filter_last_24h`); the rest is `kept`, in the file's order, with all its columns.
Conversions count in the file's country (found files) or in each number's own, the
country of its calling code (uploads): a deposit in another country is no deposit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import polars as pl

from app.cleaning.classify import PHONE, Rules, sift
from app.cleaning.layout import Layout, UnusableFileError, detect_layout
from app.db import acquire
from app.encryption.crypto import PhoneCipher
from app.files.jobs import FileJob, FileResult, FileRun
from app.jobs.kinds import JobFailedError
from app.offer_search.repository import OfferSearchRepository
from app.phones.regions import calling_code_in, calling_code_of
from app.smart_cleaning.repository import SmartCleaningRepository
from app.voluum.frames import with_phone

KIND = "smart_cleaning"
# What the find route writes: `number,timestamp` rows without a header.
FOUND_LAYOUT = Layout(delimiter=",", header=None, columns=2, phone_index=0)


@dataclass(frozen=True, slots=True)
class Exclusions:
    """What a run removes, as read from the database (turned into sets in the thread)."""

    # The found file's country; None for an upload (each number's own country).
    country_code: str | None
    converted: pl.DataFrame  # phone, country_code, ftd, reg
    filter_regs: bool
    # Custom variable 1 of the recent live events; None when the filter is off.
    live_values: pl.Series | None
    cipher: PhoneCipher | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartCleaningResult(FileResult):
    outcomes: dict[str, int]


def converted_sets(
    converted: pl.DataFrame, country_code: str | None
) -> tuple[pl.Series, pl.Series]:
    """The numbers that deposited, and those that registered, in the run's country: the
    found file's, or for an upload each number's own (the conversion's country has the
    number's calling code)."""
    if country_code is None:
        own = calling_code_of(pl.col("phone")) == calling_code_in(pl.col("country_code"))
        converted = converted.filter(own.fill_null(False))
    return (
        converted.filter(pl.col("ftd"))["phone"],
        converted.filter(pl.col("reg"))["phone"],
    )


def live_phones(values: pl.Series, cipher: PhoneCipher | None, default_code: str) -> pl.Series:
    """The live events' numbers: link tokens decrypted, every value normalized (what is
    no number, or a token without the key, matches nothing)."""
    frame = with_phone(
        values.alias("value").to_frame(), "value", cipher=cipher, default_code=default_code
    )
    phones = frame.filter(pl.col("invalid_reason").is_null())["custom_variable_1"]
    return phones.cast(pl.Int64)


def smart_rules(exclusions: Exclusions, default_code: str) -> Rules:
    ftd, reg = converted_sets(exclusions.converted, exclusions.country_code)
    recent = exclusions.live_values
    return Rules(
        removals=(
            ("ftd", PHONE.is_in(ftd.implode())),
            ("reg", exclusions.filter_regs and PHONE.is_in(reg.implode())),
            (
                "last_24h",
                recent is not None
                and PHONE.is_in(live_phones(recent, exclusions.cipher, default_code).implode()),
            ),
        ),
        labels=(),
        otherwise="kept",
    )


class SmartCleaningJob(FileJob[Exclusions, SmartCleaningResult]):
    file_kind = KIND
    job_kind = "smart_cleaning.process"

    async def prepare(self, run: FileRun) -> Exclusions:
        offers = list(run.payload["offers"])
        filter_regs = bool(run.payload.get("filter_regs"))
        async with acquire(run.runtime.connections) as conn:
            search = await OfferSearchRepository(conn, run.runtime.queries).get(KIND, run.file_id)
            if search is None:
                raise JobFailedError("The file has no search")
            repository = SmartCleaningRepository(conn, run.runtime.queries)
            types = ["FTD", "REG"] if filter_regs else ["FTD"]
            converted = await repository.converted(offers, types, search.country_code)
            live = None
            if run.payload.get("filter_last_24h"):
                live = await repository.recent_live_values(offers)
        encryption = run.runtime.settings.encryption
        return Exclusions(
            country_code=search.country_code,
            converted=converted,
            filter_regs=filter_regs,
            live_values=live,
            cipher=PhoneCipher(encryption.key_bytes()) if encryption else None,
        )

    def compute(self, run: FileRun, prepared: Exclusions) -> SmartCleaningResult:
        raw = run.require_source()
        code = run.runtime.settings.phones.default_calling_code
        out = run.folder / "kept.csv"
        try:
            layout = (
                FOUND_LAYOUT
                if prepared.country_code is not None
                else detect_layout(raw, run.record.delimiter or ",", code)
            )
            rules = smart_rules(prepared, code)
            counts = sift(raw, layout, rules, code, clean_path=out)
        except UnusableFileError as exc:
            raise JobFailedError(str(exc)) from exc  # the same file fails the same way again
        return SmartCleaningResult(
            key=self.result_key(run.file_id),
            path=out,
            total=counts.total,
            clean=counts.kept,
            message=f"{counts.kept} of {counts.total} rows kept",
            # Every outcome, those of filters that were off too (0).
            outcomes={name: counts.removed(name) for name in rules.outcomes},
        )

    async def record(
        self, run: FileRun, result: SmartCleaningResult, conn: asyncpg.Connection
    ) -> None:
        await OfferSearchRepository(conn, run.runtime.queries).record_outcomes(
            run.file_id, result.outcomes
        )


SMART_CLEANING_JOB = SmartCleaningJob()
