"""SQL of the Prometheus scrape."""

from __future__ import annotations

from app.db import Repository
from app.metrics.schemas import JobCount


class MetricsRepository(Repository):
    domain = "metrics"
    queries = ("count_jobs",)

    async def job_counts(self) -> list[JobCount]:
        return await self._fetch_all("count_jobs", JobCount)
