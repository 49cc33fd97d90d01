"""REG search through the HTTP API with a real worker, and its rules with hand-made rows."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import httpx

from tests.smart_cleaning.seed import add_conversions, run_job


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


IN_WINDOW = _at("2026-01-11 12:00:00")
CONVERSIONS = [
    ("447400100031", "REG", "GB", "Offer A", IN_WINDOW),  # never deposited
    ("447400100032", "REG", "GB", "Offer A", IN_WINDOW),
    ("447400100032", "FTD", "GB", "Offer A", _at("2026-02-20 09:00:00")),  # after the window
    ("447400100033", "REG", "GB", "Offer A", _at("2026-01-10 00:00:00")),  # first instant
    ("447400100033", "FTD", "DE", "Offer A", IN_WINDOW),  # deposited in another country
    ("447400100034", "REG", "GB", "Offer A", _at("2026-01-13 00:00:00")),  # a day late
    ("447400100035", "REG", "GB", "Offer B", IN_WINDOW),  # an offer not chosen
    ("447400100036", "REG", "GB", "Offer A", _at("2026-01-12 23:59:59.999999")),  # last instant
    ("447400100037", "REG", "GB", "Offer A", IN_WINDOW),
    ("447400100037", "FTD", "GB", "Offer B", IN_WINDOW),  # deposited on an offer not chosen
    ("447400100031", "REG", "GB", "Offer A", _at("2026-01-12 08:00:00")),  # again: one number
    ("447400100038", "REG", "DE", "Offer C", IN_WINDOW),  # another country's offer
    ("447400100039", "REG", "GB", "Offer D", _at("2026-01-09 23:59:59")),  # offer before it
]


async def test_search_process_download_archive_delete(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await add_conversions(conn, CONVERSIONS)
    window = {"country_code": "GB", "from_date": "2026-01-10", "to_date": "2026-01-12"}

    searched = await live.post("/reg-search/search", params=window)

    assert searched.status_code == 200, searched.text
    entry = searched.json()
    # The old answer's keys and values.
    assert entry["original_filename"].startswith("REG_GB_")
    assert (entry["country_code"], entry["status"]) == ("GB", "uploaded")
    assert (entry["offers"], entry["offer_count"]) == ("Offer A^Offer B", 2)
    early = await live.get(f"/reg-search/{entry['id']}/download")
    assert (early.status_code, early.json()["detail"]) == (400, "Not processed yet")

    await run_job(
        live, await live.post(f"/reg-search/{entry['id']}/process", json={"offers": ["Offer A"]})
    )

    download = await live.get(f"/reg-search/{entry['id']}/download")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith(
        f'attachment; filename="reg_only_{entry["original_filename"]}.csv"'
    )
    # One column, no header; 32 deposited after the window, so it deposited.
    assert download.text.splitlines() == [
        "447400100031", "447400100033", "447400100036", "447400100037",
    ]  # fmt: skip
    listed = (await live.get("/reg-search/files")).json()["items"]
    assert [i["id"] for i in listed] == [entry["id"]]
    item = listed[0]
    assert (item["status"], item["record_count_total"], item["record_count_clean"]) == (
        "processed",
        5,
        4,
    )
    assert (item["selected_offer"], item["outcomes"]) == ("Offer A", {"ftd": 1, "kept": 4})

    # Processed is final here (as before): another run is a new search.
    again = await live.post(f"/reg-search/{entry['id']}/process", json={"offers": ["Offer A"]})
    assert again.status_code == 409
    archived = await live.post(f"/reg-search/{entry['id']}/archive")
    assert (archived.status_code, archived.json()["ok"]) == (200, True)
    assert (await live.get(f"/reg-search/{entry['id']}/download")).status_code == 200
    deleted = await live.post(f"/reg-search/{entry['id']}/delete")
    assert (deleted.status_code, deleted.json()["ok"]) == (200, True)
    gone = await live.get(f"/reg-search/{entry['id']}/download")
    assert (gone.status_code, gone.json()["detail"]) == (404, "Entry not found")
    assert (await live.post(f"/reg-search/{entry['id']}/delete")).status_code == 404


async def test_a_search_without_a_window_and_one_that_finds_none(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await add_conversions(conn, CONVERSIONS)
    entry = (await live.post("/reg-search/search", params={"country_code": "GB"})).json()
    assert entry["offers"] == "Offer A^Offer B^Offer D"
    await run_job(
        live, await live.post(f"/reg-search/{entry['id']}/process", json={"offers": ["Offer D"]})
    )
    download = await live.get(f"/reg-search/{entry['id']}/download")
    assert download.text == "447400100039\n"

    nothing = (await live.post("/reg-search/search", params={"country_code": "GB"})).json()
    await run_job(
        live, await live.post(f"/reg-search/{nothing['id']}/process", json={"offers": ["Offer Z"]})
    )
    empty = await live.get(f"/reg-search/{nothing['id']}/download")
    assert (empty.status_code, empty.text) == (200, "")
