"""/find_records and the one-number lookup, through the HTTP API."""

from __future__ import annotations

import asyncpg
import httpx


async def test_find_records_takes_any_format_and_refuses_what_is_not_a_number(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO api_voluum_ts_sources (custom_variable_1, category, clicks, os_version) "
            "VALUES ('447400100001', 'WHITELIST', 3, 'IOS 18.6')"
        )
    found = await live.post("/find_records", json={"phone_number": "+44 7400 100001"})
    assert found.status_code == 200
    [row] = found.json()["results"]
    assert row[1:4] == ["447400100001", None, "IOS 18.6"]
    assert row[9] == 3.0  # clicks, a number as before
    injected = await live.post("/find_records", json={"phone_number": "1' OR '1'='1"})
    assert injected.status_code == 400
    none = await live.post("/find_records", json={"phone_number": "447400100009"})
    assert none.json() == {"results": []}


async def test_a_number_lookup_says_where_it_stands(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason) "
            "VALUES ('447400100001', 'blacklist', 'hlr', 'HLR_FAILED')"
        )
        await conn.execute("INSERT INTO main_database (custom_variable_1) VALUES ('447400100001')")
    status = (await live.get("/phones/07400 100001")).json()
    assert {k: status[k] for k in ("phone", "list_name", "decided_by", "reason", "seen")} == {
        "phone": "447400100001",
        "list_name": "blacklist",
        "decided_by": "hlr",
        "reason": "HLR_FAILED",
        "seen": True,
    }
    assert (status["line_type"], status["country"]) == ("mobile", "GB")
    unknown = (await live.get("/phones/447400100002")).json()
    assert (unknown["list_name"], unknown["seen"], unknown["conversions"]) == (None, False, 0)
    assert (await live.get("/phones/not-a-number")).status_code == 400
    landline = (await live.get("/phones/tel:+1-201-555-0123")).json()
    assert (landline["phone"], landline["line_type"], landline["country"]) == (
        "12015550123",
        "fixed_line_or_mobile",
        "US",
    )
    drama = await live.get("/phones/07700 900001")  # Ofcom's drama range: no valid number
    assert drama.status_code == 400
    assert drama.json()["detail"] == "Not a phone number (invalid_for_country)"
