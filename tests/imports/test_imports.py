"""Manual imports and the blacklist import, through the HTTP API."""

from __future__ import annotations

import csv
import io

import asyncpg
import httpx


def _csv(text: str) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("decisions.csv", text.encode(), "text/csv")}


async def _lists(pool: asyncpg.Pool) -> dict[str, tuple[str, str, str | None]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT custom_variable_1, list_name, decided_by, reason FROM phone_lists"
        )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


async def test_every_row_gets_an_outcome_and_manual_beats_os_version(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by) VALUES "
            "('447400100002', 'whitelist', 'os_version'), ('447400100003', 'blacklist', 'manual')"
        )
    text = (
        "Phone,Reason,Source,OS Version,User_Agent\n"
        "+44 7400 100001,fraud,ops,Android 13.0,UA\n"
        "07400 100002,fraud,ops,,\n"
        "447400100003,again,ops,,\n"
        "0044 7400 100001,repeat,ops,,\n"
        "{{phone}},fraud,ops,,\n"
        "447400100004,,ops,,\n"
        "447400100005,chargeback,finance,,\n"
    )
    response = await live.post(
        "/db-manual-update/import", params={"target": "blacklist"}, files=_csv(text)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("target", "uploaded", "accepted", "rejected")} == {
        "target": "blacklist",
        "uploaded": 7,
        "accepted": 3,
        "rejected": 4,
    }
    result = await live.get(f"/db-manual-update/{body['id']}/download")
    assert result.status_code == 200
    assert result.headers["content-disposition"].startswith(
        'attachment; filename="result_decisions.csv"'
    )
    assert list(csv.reader(io.StringIO(result.text))) == [
        ["phone", "result"],
        ["447400100001", "added_to_blacklist"],
        ["447400100002", "moved_from_whitelist"],
        ["447400100003", "rejected_duplicate"],
        ["447400100001", "rejected_duplicate_in_file"],
        ["{{phone}}", "rejected_invalid_phone"],
        ["447400100004", "rejected_missing_required"],
        ["447400100005", "added_to_blacklist"],
    ]
    lists = await _lists(pool)
    assert lists["447400100001"] == ("blacklist", "manual", "fraud")
    assert lists["447400100002"] == ("blacklist", "manual", "fraud")  # off the whitelist
    assert lists["447400100003"] == ("blacklist", "manual", None)  # untouched
    assert "447400100004" not in lists
    async with pool.acquire() as conn:
        ua = await conn.fetchval(
            "SELECT browser_version FROM phone_lists WHERE custom_variable_1 = '447400100001'"
        )
    assert ua == "UA"

    history = (await live.get("/db-manual-update/history")).json()["items"]
    assert history[0]["id"] == body["id"]
    assert (history[0]["uploaded_count"], history[0]["accepted_count"]) == (7, 3)


async def test_import_errors_are_clear_400s(live: httpx.AsyncClient) -> None:
    bad_target = await live.post(
        "/db-manual-update/import", params={"target": "greylist"}, files=_csv("phone\n1\n")
    )
    assert bad_target.status_code == 400
    assert bad_target.json()["detail"] == "target must be blacklist, whitelist or monitor"
    missing = await live.post(
        "/db-manual-update/import", params={"target": "monitor"}, files=_csv("phone,why\n1,x\n")
    )
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Missing required CSV columns: reason, source"
    unknown = await live.get("/db-manual-update/00000000-0000-0000-0000-000000000000/download")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Import not found"
    assert (await live.get("/db-manual-update/history")).json()["items"] == []


async def test_the_blacklist_import_writes_to_the_blacklist(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    text = "custom_variable_1,ip,os_version\n447400100001,10.0.0.1,IOS 9.0\n447400100001,,\n"
    response = await live.post("/import-blacklist-csv", files=_csv(text))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ok"], body["rows_imported"], body["accepted"], body["rejected"]) == (
        True,
        2,
        1,
        1,
    )
    assert (await _lists(pool))["447400100001"] == ("blacklist", "manual", "CSV_IMPORT")
    wrong = await live.post(
        "/import-blacklist-csv", files={"file": ("list.xlsx", b"447400100001\n", "text/csv")}
    )
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Only CSV files are supported"


async def test_a_blacklist_import_result_downloads_too(live: httpx.AsyncClient) -> None:
    text = "custom_variable_1\n447400100001\n=cmd()\n"
    imported = (await live.post("/import-blacklist-csv", files=_csv(text))).json()
    result = await live.get(f"/db-manual-update/{imported['id']}/download")
    assert result.status_code == 200
    assert list(csv.reader(io.StringIO(result.text))) == [
        ["phone", "result"],
        ["447400100001", "added_to_blacklist"],
        ["'=cmd()", "rejected_invalid_phone"],
    ]


async def test_importing_onto_the_same_list_makes_it_a_manual_decision(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason) "
            "VALUES ('447400100001', 'blacklist', 'os_version', 'OS_VERSION')"
        )
    text = "phone,reason,source\n447400100001,fraud,ops\n"
    body = (
        await live.post(
            "/db-manual-update/import", params={"target": "blacklist"}, files=_csv(text)
        )
    ).json()
    assert (body["accepted"], body["rejected"]) == (1, 0)
    result = (await live.get(f"/db-manual-update/{body['id']}/download")).text
    assert "447400100001,confirmed_on_blacklist" in result
    assert (await _lists(pool))["447400100001"] == ("blacklist", "manual", "fraud")


async def test_an_import_reads_each_row_in_its_own_country(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    text = (
        "phone,Country\n"
        "0151 23456789,DE\n"
        "07400 100001,United Kingdom\n"
        "07700 900001,GB\n"  # Ofcom's drama range: no valid number
        "040 12345678,\n"  # no country: the default region, where it is no number
    )
    response = await live.post("/import-blacklist-csv", files=_csv(text))
    assert response.status_code == 200, response.text
    result = await live.get(f"/db-manual-update/{response.json()['id']}/download")
    assert list(csv.reader(io.StringIO(result.text)))[1:] == [
        ["4915123456789", "added_to_blacklist"],
        ["447400100001", "added_to_blacklist"],
        ["07700 900001", "rejected_invalid_phone"],
        ["040 12345678", "rejected_invalid_phone"],
    ]
    assert set(await _lists(pool)) == {"4915123456789", "447400100001"}
