"""A file whose HLR batch is running is paid for: it cannot be archived or deleted until
the run ends (the run would fail and the paid answers never be fetched)."""

from __future__ import annotations

import asyncpg
import httpx


async def test_a_file_with_a_running_hlr_batch_is_kept_until_the_run_ends(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    file_id = await conn.fetchval(
        "INSERT INTO files (kind, original_filename, status, result_key)"
        " VALUES ('cleaning', 'leads.csv', 'processed', 'processed/cleaning/x.csv') RETURNING id"
    )
    await conn.execute(
        "INSERT INTO hlr_batches (file_id, hlr_status, hlr_batch_id)"
        " VALUES ($1, 'processing', '100001')",
        file_id,
    )
    for action in ("archive", "delete"):
        refused = await client.post(f"/{file_id}/{action}")
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"] == (
            "HLR is running on this file: archive or delete it once the run has finished"
        )
    assert await conn.fetchval("SELECT status FROM files WHERE id = $1", file_id) == "processed"

    await conn.execute("UPDATE hlr_batches SET hlr_status = 'complete' WHERE file_id = $1", file_id)
    assert (await client.post(f"/{file_id}/archive")).status_code == 200
    assert (await client.post(f"/{file_id}/delete")).status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM files WHERE id = $1", file_id) == 0
