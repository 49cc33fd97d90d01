"""Bodies of the import routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

Target = Literal["blacklist", "whitelist", "monitor"]


class ImportItem(msgspec.Struct, frozen=True):
    id: UUID
    original_filename: str
    target: Target
    uploaded_count: int
    accepted_count: int
    rejected_count: int
    created_at: datetime


class ImportResult(msgspec.Struct, frozen=True):
    id: UUID
    target: Target
    original_filename: str
    uploaded: int
    accepted: int
    rejected: int


class ImportHistory(msgspec.Struct, frozen=True):
    items: list[ImportItem]


class BlacklistImported(msgspec.Struct, frozen=True):
    ok: bool
    original_filename: str
    rows_imported: int
    id: UUID
    accepted: int
    rejected: int
