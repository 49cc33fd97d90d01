"""CSV jobs (the Ongage drip) as stored, and the old routes' bodies plus progress."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

JobStatus = Literal["draft", "running", "paused", "completed", "archived"]
SendStatus = Literal["pending", "sent", "failed", "invalid"]


class InvalidRow(msgspec.Struct, frozen=True):
    """A row kept but never sent: its 0-based position in the file, and why."""

    position: int
    email: str | None
    reason: str


class CsvJobUploaded(msgspec.Struct, frozen=True):
    """The old answer, plus how many rows can be sent and the first invalid ones."""

    ok: bool
    job_id: UUID
    original_filename: str
    total_records: int
    status: JobStatus
    valid_records: int
    invalid_records: int
    invalid_examples: list[InvalidRow]


class CsvJobItem(msgspec.Struct, frozen=True):
    """The old item keys, then progress: records sent, failed (with Ongage's reason),
    invalid (never sent) and remaining, the next tick and the last tick's error."""

    id: UUID
    original_filename: str
    status: JobStatus
    total_records: int
    uploaded_at: datetime
    interval_seconds: int
    lower_limit: int
    upper_limit: int
    sent: int
    failed: int
    invalid: int
    remaining: int
    next_run_at: datetime | None
    last_error: str | None
    started_at: datetime | None
    completed_at: datetime | None


class CsvJobList(msgspec.Struct, frozen=True):
    items: list[CsvJobItem]


class CsvJobPatched(msgspec.Struct, frozen=True):
    ok: bool
    job_id: str


class CsvJobTransitioned(msgspec.Struct, frozen=True):
    ok: bool
    status: JobStatus


class JobState(msgspec.Struct, frozen=True):
    id: UUID
    status: JobStatus


class CsvTick(msgspec.Struct, frozen=True):
    """One tick of a job: when it ran, where, what it planned, sent and failed, its error."""

    id: int
    runner: str
    started_at: datetime
    finished_at: datetime | None
    planned: int
    requests: int
    sent: int
    failed: int
    error: str | None


class CsvTickList(msgspec.Struct, frozen=True):
    items: list[CsvTick]


class CsvRecordView(msgspec.Struct, frozen=True):
    position: int
    list_id: str | None
    email: str | None
    send_status: SendStatus
    error_message: str | None
    attempts: int
    sent_at: datetime | None


class CsvRecordList(msgspec.Struct, frozen=True):
    items: list[CsvRecordView]


# --- What the runner reads and writes ---------------------------------------------------


class ClaimedJob(msgspec.Struct, frozen=True):
    id: UUID
    interval_seconds: int
    lower_limit: int
    upper_limit: int
    consecutive_failures: int


class PendingRecord(msgspec.Struct, frozen=True):
    id: int
    position: int
    list_id: str | None
    email: str
    country: str | None
    source: str | None
    mobile: str | None
    conversion_type: str | None
    original_source: str | None
    hlr_status: str | None
    uuid: str | None


class Written(msgspec.Struct, frozen=True):
    written: int
    held: int


class Held(msgspec.Struct, frozen=True):
    held: int


class TickId(msgspec.Struct, frozen=True):
    id: int
