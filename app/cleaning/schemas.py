"""Bodies of the cleaning routes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class CleaningStats(msgspec.Struct, frozen=True):
    """The old keys, the counters the old service folded into its filters, the rows
    `exclude_non_mobile` removed, and the distinct valid numbers of each line type
    (`{"mobile": 812, "fixed_line": 40}`)."""

    file_id: UUID
    total_records: int
    removed_blacklist: int
    removed_monitor: int
    removed_conversion: int
    removed_maindatabase: int
    removed_duplicates: int
    removed_invalid: int
    removed_non_mobile: int
    final_clean_count: int
    line_types: dict[str, int]
    created_at: datetime
