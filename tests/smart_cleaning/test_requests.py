"""What the offer tools' routes refuse, and the one file of a kind processing at a time
(no worker runs here: a started file stays processing)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest

from app.errors import BadRequestError
from app.offer_search.window import Search, parse_search
from tests.smart_cleaning.seed import add_clickers, add_conversions

JAN = datetime(2026, 1, 11, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "country_code is required"),
        ({"country_code": " "}, "country_code is required"),
        ({"country_code": "GBR"}, "country_code must be a two-letter ISO code such as GB"),
        (
            {"country_code": "GB", "from_date": "2026-13-01"},
            "from_date must be a date (YYYY-MM-DD)",
        ),
        ({"country_code": "GB", "to_date": "yesterday"}, "to_date must be a date (YYYY-MM-DD)"),
        (
            {"country_code": "GB", "to_date": "9999-12-31"},
            "to_date must be a date from 1970-01-01 to 2100-12-31",
        ),
        (
            {"country_code": "GB", "from_date": "2026-01-12", "to_date": "2026-01-11"},
            "from_date is after to_date",
        ),
    ],
)
@pytest.mark.parametrize("path", ["/find-smart-cleaning-voluum", "/reg-search/search"])
async def test_a_search_needs_a_country_and_real_dates(
    client: httpx.AsyncClient, path: str, params: dict[str, str], detail: str
) -> None:
    response = await client.post(path, params=params)
    assert (response.status_code, response.json()["detail"]) == (400, detail)


def test_days_are_whole_utc_days_and_instants_count_by_their_day() -> None:
    search = parse_search("gb", "2026-01-10T00:00:00.000Z", "2026-01-12")
    assert search == Search("GB", date(2026, 1, 10), date(2026, 1, 12))
    assert search.starts == datetime(2026, 1, 10, tzinfo=UTC)
    assert search.ends == datetime(2026, 1, 13, tzinfo=UTC)  # the last day included
    assert parse_search("GB", "", None) == Search("GB")
    with pytest.raises(BadRequestError):
        parse_search("GB", "2026-01-10X", None)


async def test_nothing_to_find_is_the_old_404(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    missing = await client.post("/find-smart-cleaning-voluum", params={"country_code": "GB"})
    assert (missing.status_code, missing.json()["detail"]) == (
        404,
        "No offers found for the country code: GB",
    )
    # Clickers, but no conversions in the country: nothing to choose, the same answer.
    await add_clickers(conn, [("447400100001", "GB", JAN)])
    await add_conversions(conn, [("447400100001", "FTD", "DE", "Offer A", JAN)])
    assert (
        await client.post("/find-smart-cleaning-voluum", params={"country_code": "GB"})
    ).status_code == 404
    reg = await client.post("/reg-search/search", params={"country_code": "GB"})
    assert (reg.status_code, reg.json()["detail"]) == (404, "No offers found for country code: GB")


async def test_uploads_are_csv_files_with_rows_and_offers_to_choose(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    path = "/upload-smart-cleaning-voluum"
    not_csv = await client.post(path, files={"file": ("leads.txt", b"447400100001\n")})
    assert (not_csv.status_code, not_csv.json()["detail"]) == (400, "Only CSV files are supported")
    no_offers = await client.post(path, files={"file": ("leads.csv", b"447400100001\n")})
    assert (no_offers.status_code, no_offers.json()["detail"]) == (
        404,
        "No offers found in the conversions database",
    )
    await add_conversions(conn, [("447400100001", "FTD", "DE", "Offer A", JAN)])
    empty = await client.post(path, files={"file": ("leads.csv", b"\n\n")})
    assert (empty.status_code, empty.json()["detail"]) == (400, "CSV file is empty")
    assert await conn.fetchval("SELECT count(*) FROM files WHERE kind = 'smart_cleaning'") == 0


async def _two_found_files(client: httpx.AsyncClient, conn: asyncpg.Connection) -> list[str]:
    await add_clickers(conn, [("447400100001", "GB", JAN)])
    await add_conversions(conn, [("447400100001", "FTD", "GB", "Offer A", JAN)])
    found = [
        await client.post("/find-smart-cleaning-voluum", params={"country_code": "GB"})
        for _ in range(2)
    ]
    return [f.json()["id"] for f in found]


async def test_one_file_processes_at_a_time_and_illegal_transitions_are_409(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    first, second = await _two_found_files(client, conn)
    url = "/{}/process-smart-cleaning-files-voluum"
    chosen = {"offers": ["Offer A"]}

    for body in ({"offers": []}, {"offers": [" ", ""]}):
        refused = await client.post(url.format(first), json=body)
        assert refused.status_code == 400
    assert (await client.post(url.format(first), json={"offers": ["  "]})).json()[
        "detail"
    ] == "At least one offer is required"
    assert (await client.post(url.format(first), json={"offer": ["A"]})).status_code == 400
    # An offer PostgreSQL cannot store (a NUL) is the request's fault, and starts nothing.
    nul = await client.post(url.format(first), json={"offers": ["Offer\u0000A"]})
    assert nul.status_code == 400, nul.text

    started = await client.post(url.format(first), json=chosen)
    assert started.status_code == 200
    assert started.json()["status"] == "processing"
    busy = await client.post(url.format(second), json=chosen)
    assert (busy.status_code, busy.json()["detail"]) == (409, "Another file is already processing")
    again = await client.post(url.format(first), json=chosen)
    assert again.status_code == 409  # processing -> processing
    not_yet = await client.get(f"/{second}/download-smart-cleaning-files-voluum")
    assert (not_yet.status_code, not_yet.json()["detail"]) == (400, "File not processed yet")

    # The other kind is not held up; its own second search is.
    reg = [
        (await client.post("/reg-search/search", params={"country_code": "GB"})).json()["id"]
        for _ in range(2)
    ]
    assert (await client.post(f"/reg-search/{reg[0]}/process", json=chosen)).status_code == 200
    busy = await client.post(f"/reg-search/{reg[1]}/process", json=chosen)
    assert (busy.status_code, busy.json()["detail"]) == (
        409,
        "Another search is already processing",
    )

    archived = await client.post(f"/{second}/archive-smart-cleaning-files-voluum")
    assert archived.status_code == 200
    assert (await client.post(url.format(second), json=chosen)).status_code == 409
    listed = await client.get("/smart-cleaning-files-voluum", params={"status": "archived"})
    assert [i["id"] for i in listed.json()["items"]] == [second]


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    for method, path in [
        ("POST", f"/{unknown}/process-smart-cleaning-files-voluum"),
        ("GET", f"/{unknown}/download-smart-cleaning-files-voluum"),
        ("POST", f"/{unknown}/archive-smart-cleaning-files-voluum"),
        ("POST", f"/{unknown}/delete-smart-cleaning-files-voluum"),
        ("POST", f"/reg-search/{unknown}/process"),
        ("GET", f"/reg-search/{unknown}/download"),
        ("POST", f"/reg-search/{unknown}/archive"),
    ]:
        body = {"offers": ["Offer A"]} if method == "POST" else None
        response = await client.request(method, path, json=body)
        assert response.status_code == 404, (path, response.text)
    assert (await client.get("/reg-search/files?status=bogus")).status_code == 400
