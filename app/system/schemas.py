"""Bodies of the system routes."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

# [total, last 24 hours, last 7 days], the old service's shape.
Counts = Annotated[list[int], msgspec.Meta(min_length=3, max_length=3)]


class ServiceInfo(msgspec.Struct, frozen=True):
    message: str
    version: str


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok"] = "ok"


class Readiness(msgspec.Struct, frozen=True, omit_defaults=True):
    status: Literal["ready", "unavailable"]
    database: bool
    pending_migrations: list[str]
    detail: str | None = None


class Metrics(msgspec.Struct, frozen=True):
    blacklist: Counts
    whitelist: Counts
    monitor: Counts
    main_database: Counts
    api_voluum_conversions: Counts
    api_hlr_live_numbers: Counts


class AppliedMigration(msgspec.Struct, frozen=True):
    migration_id: str
