"""SQL of database exports. Only tables with an `export_<table>.sql` file can be exported:
the allow-list is the set of files, so no table name from a request reaches SQL."""

from __future__ import annotations

from pathlib import Path
from typing import get_args
from uuid import UUID

from app.db import Repository
from app.exports.schemas import ExportRecord, ExportTable

EXPORTABLE: tuple[str, ...] = get_args(ExportTable)


class ExportRepository(Repository):
    domain = "exports"
    queries = (
        *(f"export_{table}" for table in EXPORTABLE),
        "insert_export",
        "get_latest_export",
        "get_export",
    )

    async def copy_table(self, table: str, path: Path) -> None:
        """COPY the whole table, with its header, to a CSV file."""
        query = self._query(f"export_{table}")  # KeyError-free: `table` is in EXPORTABLE
        await self.conn.copy_from_query(query.sql, output=path, format="csv", header=True)

    async def record(self, file_id: UUID, table: str) -> None:
        await self._execute("insert_export", file_id=file_id, table_name=table)

    async def latest(self, table: str) -> ExportRecord | None:
        return await self._fetch_one("get_latest_export", ExportRecord, table_name=table)

    async def get(self, export_id: UUID) -> ExportRecord | None:
        return await self._fetch_one("get_export", ExportRecord, id=export_id)
