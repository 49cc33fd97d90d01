"""HLR runs as stored, and the bodies of the HLR routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.schemas import Input

HlrStatus = Literal["uploading", "processing", "complete", "failed"]
OUTCOMES = ("live", "risky", "failed", "monitored", "unknown_status", "error")


class HlrRun(msgspec.Struct, frozen=True):
    """One file's HLR run (hlr_batches)."""

    file_id: UUID
    hlr_status: HlrStatus
    hlr_batch_id: str | None
    hlr_started_at: datetime
    hlr_completed_at: datetime | None
    hlr_num_items: int | None
    hlr_num_complete: int | None
    hlr_error_message: str | None
    result_key: str | None
    raw_key: str | None
    job_id: UUID | None
    hlr_mode: Literal["batch", "sync"] | None
    hlr_source_uploaded_at: datetime | None
    hlr_batch_started_at: datetime | None
    hlr_num_cached: int | None
    hlr_num_sent: int | None
    hlr_credits_spent: float | None
    hlr_outcomes: dict[str, int]


class HlrStarted(msgspec.Struct, frozen=True):
    """The old answer of POST /{file_id}/hlr, and the job to follow."""

    ok: bool
    file_id: UUID
    hlr_status: Literal["processing"]
    job_id: UUID


class HlrView(msgspec.Struct, frozen=True):
    """GET /{file_id}/hlr: the old fields, and what the run reused, sent, cost and found."""

    file_id: UUID
    hlr_status: HlrStatus | None
    hlr_batch_id: str | None
    hlr_result_file_path: str | None
    hlr_started_at: datetime | None
    hlr_completed_at: datetime | None
    hlr_num_items: int | None
    hlr_num_complete: int | None
    hlr_error_message: str | None
    hlr_raw_file_path: str | None
    # Numbers answered from earlier lookups (not paid again), and numbers sent.
    hlr_num_cached: int | None
    hlr_num_sent: int | None
    hlr_mode: Literal["batch", "sync"] | None
    hlr_credits_spent: float | None
    # Numbers per outcome: live, risky, failed, monitored, unknown_status, error.
    hlr_outcomes: dict[str, int]
    job_id: UUID | None

    @classmethod
    def of(cls, file_id: UUID, run: HlrRun | None) -> HlrView:
        if run is None:
            return cls(
                file_id=file_id, hlr_status=None, hlr_batch_id=None, hlr_result_file_path=None,
                hlr_started_at=None, hlr_completed_at=None, hlr_num_items=None,
                hlr_num_complete=None, hlr_error_message=None, hlr_raw_file_path=None,
                hlr_num_cached=None, hlr_num_sent=None, hlr_mode=None, hlr_credits_spent=None,
                hlr_outcomes={}, job_id=None,
            )  # fmt: skip
        return cls(
            file_id=file_id,
            hlr_status=run.hlr_status,
            hlr_batch_id=run.hlr_batch_id,
            hlr_result_file_path=run.result_key,
            hlr_started_at=run.hlr_started_at,
            hlr_completed_at=run.hlr_completed_at,
            hlr_num_items=run.hlr_num_items,
            hlr_num_complete=run.hlr_num_complete,
            hlr_error_message=run.hlr_error_message,
            hlr_raw_file_path=run.raw_key,
            hlr_num_cached=run.hlr_num_cached,
            hlr_num_sent=run.hlr_num_sent,
            hlr_mode=run.hlr_mode,
            hlr_credits_spent=run.hlr_credits_spent,
            hlr_outcomes=run.hlr_outcomes,
            job_id=run.job_id,
        )


class RiskyOperator(msgspec.Struct, frozen=True):
    name: str
    # How names are compared: lower case, without spaces or punctuation.
    name_key: str
    added_at: datetime


class RiskyOperators(msgspec.Struct, frozen=True):
    items: list[RiskyOperator]


# Text without control characters (PostgreSQL refuses NUL in text).
OperatorName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern="^[^\\x00-\\x1f\\x7f]*$")
]


class RiskyOperatorsReplace(Input, frozen=True):
    """The whole new list of risky network names (an empty list empties it)."""

    names: Annotated[list[OperatorName], msgspec.Meta(max_length=10_000)]


class RiskyOperatorsReplaced(msgspec.Struct, frozen=True):
    ok: bool
    count: int
