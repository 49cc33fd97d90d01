"""SQL of the system routes."""

from __future__ import annotations

from app.db import Repository
from app.system.schemas import AppliedMigration, Metrics


class SystemRepository(Repository):
    domain = "system"
    queries = ("get_metrics", "list_applied_migrations")

    async def metrics(self) -> Metrics:
        metrics = await self._fetch_one("get_metrics", Metrics)
        assert metrics is not None  # an aggregate always yields one row
        return metrics

    async def applied_migrations(self) -> set[str]:
        rows = await self._fetch_all("list_applied_migrations", AppliedMigration)
        return {row.migration_id for row in rows}
