"""SQL of manual imports: staging by COPY, one upsert, the history."""

from __future__ import annotations

import io
from uuid import UUID

import polars as pl

from app.db import Repository
from app.imports.schemas import ImportItem


class ImportRepository(Repository):
    domain = "imports"
    queries = (
        "create_import_staging",
        "empty_import_staging",
        "upsert_manual_decisions",
        "insert_import",
        "list_imports",
    )

    async def decide(self, staged: pl.DataFrame, target: str) -> pl.DataFrame:
        """Writes the staged rows onto `target`; returns `phone, result` for each."""
        async with self.transaction():
            await self._execute("create_import_staging")
            await self._execute("empty_import_staging")
            buffer = io.BytesIO()
            staged.write_csv(buffer, include_header=False)
            buffer.seek(0)
            await self._copy_in("import_staging", buffer)
            out = io.BytesIO()
            await self._copy_out("upsert_manual_decisions", out, target=target)
        out.seek(0)
        if not out.getbuffer().nbytes:
            return pl.DataFrame(schema={"phone": pl.String, "result": pl.String})
        return pl.read_csv(out, has_header=False, schema={"phone": pl.String, "result": pl.String})

    async def record(
        self, file_id: UUID, *, target: str, uploaded: int, accepted: int, rejected: int
    ) -> None:
        await self._execute(
            "insert_import",
            file_id=file_id,
            target=target,
            uploaded_count=uploaded,
            accepted_count=accepted,
            rejected_count=rejected,
        )

    async def history(self) -> list[ImportItem]:
        return await self._fetch_all("list_imports", ImportItem)
