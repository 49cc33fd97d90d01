"""Bodies of the cleaning routes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class CleaningStats(msgspec.Struct, frozen=True):
    """The old keys, and the counters the old service folded into its filters."""

    file_id: UUID
    total_records: int
    removed_blacklist: int
    removed_monitor: int
    removed_conversion: int
    removed_maindatabase: int
    removed_duplicates: int
    removed_invalid: int
    final_clean_count: int
    created_at: datetime
