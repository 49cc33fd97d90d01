"""File lists answer a page of the newest files, read along an index, never the history."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from app.sql import SqlQueries


async def _history(conn: asyncpg.Connection, count: int, kind: str = "cleaning") -> None:
    """`count` processed files, `history-1.csv` the newest."""
    await conn.execute(
        """
        INSERT INTO files (kind, original_filename, status, uploaded_at)
        SELECT $2, 'history-' || g || '.csv', 'processed', now() - g * interval '1 minute'
        FROM generate_series(1, $1::int) AS g
        """,
        count,
        kind,
    )


async def test_a_list_answers_the_newest_hundred_by_default(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await _history(conn, 130)
    items = (await client.get("/files")).json()["items"]
    assert len(items) == 100
    assert items[0]["original_filename"] == "history-1.csv"
    assert items[-1]["original_filename"] == "history-100.csv"


async def test_limit_asks_for_fewer_or_more(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await _history(conn, 130)
    few = (await client.get("/files", params={"limit": 3})).json()["items"]
    assert [i["original_filename"] for i in few] == [f"history-{n}.csv" for n in (1, 2, 3)]
    assert len((await client.get("/files", params={"limit": 1000})).json()["items"]) == 130
    filtered = await client.get("/files", params={"limit": 2, "status": "processed"})
    assert len(filtered.json()["items"]) == 2


@pytest.mark.parametrize("limit", ["0", "1001", "many"])
async def test_a_limit_out_of_range_is_400(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get("/files", params={"limit": limit})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


async def test_the_list_query_reads_the_index_in_order_and_stops(
    conn: asyncpg.Connection, sql: SqlQueries
) -> None:
    await _history(conn, 2000)
    await _history(conn, 2000, kind="encryption")
    await conn.execute("ANALYZE files")
    query = sql.get("files", "list_files")
    plan = "\n".join(
        row[0]
        for row in await conn.fetch(
            f"EXPLAIN {query.sql}",
            *query.args({"kind": "cleaning", "statuses": [], "limit": 100}),
        )
    )
    assert "files_kind_uploaded_id_idx" in plan, plan
    assert "Sort" not in plan, plan
    assert plan.startswith("Limit"), plan
