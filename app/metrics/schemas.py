"""What the metrics domain reads from the database."""

from __future__ import annotations

import msgspec


class JobCount(msgspec.Struct, frozen=True):
    kind: str
    status: str
    jobs: int
