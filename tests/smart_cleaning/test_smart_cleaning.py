"""Smart cleaning through the HTTP API with a real worker: find, process with each filter,
download, archive, delete; the rules of legacy-contract §3.9 with their fixes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from app.encryption.crypto import PhoneCipher
from tests.smart_cleaning.seed import add_clickers, add_conversions, run_job

KEY = bytes(range(32))
JAN = datetime(2026, 1, 11, 12, tzinfo=UTC)


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"AES_KEY": base64.urlsafe_b64encode(KEY).decode()}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _seed_gb(pool: asyncpg.Pool) -> None:
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        await add_clickers(
            conn,
            [
                ("447400100001", "GB", _at("2026-01-10 00:00:00")),  # the window's first instant
                ("447400100002", "GB", _at("2026-01-12 23:59:59.999999")),  # and its last
                ("447400100003", "GB", _at("2026-01-11 12:00:00")),
                ("447400100004", "GB", _at("2026-01-09 23:59:59.999999")),  # a day early
                ("447400100005", "GB", _at("2026-01-13 00:00:00")),  # a day late
                ("447400100006", "GB", _at("2026-01-11 13:00:00")),
                ("447400100007", "GB", _at("2026-01-11 14:00:00")),
                ("447400100008", "GB", _at("2026-01-11 15:00:00")),
                ("447400100009", "GB", _at("2026-01-11 16:00:00")),
                ("4915123456701", "DE", _at("2026-01-11 12:00:00")),  # another country
            ],
        )
        await add_conversions(
            conn,
            [
                ("447400100002", "FTD", "DE", "Offer A", JAN),  # deposited elsewhere: stays
                ("447400100003", "FTD", "GB", "Offer A", _at("2025-06-01 10:00:00")),  # any date
                ("447400100006", "REG", "GB", "Offer A", JAN),
                ("447400100007", "FTD", "GB", "Offer B", JAN),  # an offer not chosen
                ("447400100099", "REG", "GB", "Offer C", _at("2025-12-31 23:59:59")),
                ("4915123456701", "FTD", "DE", "Offer D", JAN),
            ],
        )
        await conn.execute(
            "INSERT INTO voluum_offers (offer_id, offer_name) VALUES ('o-a', 'Offer A')"
        )
        # 08 clicked offer A two hours ago, its link carrying a token; 09 thirty hours ago;
        # 07's newest event is on offer B, but an hour before it clicked offer A (raw table).
        token = PhoneCipher(KEY).encrypt("447400100008")
        await conn.executemany(
            'INSERT INTO voluum_live_events (custom_variable_1, offer_id, "timestamp") '
            "VALUES ($1, $2, $3)",
            [
                (token, "o-a", now - timedelta(hours=2)),
                ("447400100009", "o-a", now - timedelta(hours=30)),
                ("447400100007", "o-b", now - timedelta(minutes=5)),
            ],
        )
        await conn.execute(
            'INSERT INTO raw_live_voluum_sns_data (idempotency_key, offer_id, "timestamp", '
            "custom_variables) VALUES ('m1:0', 'o-a', $1, ARRAY['+44 7400 100007'])",
            now - timedelta(hours=1),
        )


def _numbers(text: str) -> list[str]:
    return [line.split(",")[0] for line in text.splitlines()]


async def test_find_then_each_filter_then_download_archive_delete(
    live: httpx.AsyncClient, pool: asyncpg.Pool, live_tables: None
) -> None:
    await _seed_gb(pool)
    window = {"country_code": "gb", "from_date": "2026-01-10", "to_date": "2026-01-12"}

    found = await live.post("/find-smart-cleaning-voluum", params=window)

    assert found.status_code == 200, found.text
    item = found.json()
    today = datetime.now(UTC).date().isoformat()
    assert item["original_filename"] == f"GB_{today}.csv"
    assert (item["status"], item["country_code"], item["record_count_total"]) == (
        "uploaded",
        "GB",
        7,
    )
    # The country's offers in the window (C converted before it, D in another country).
    assert (item["offers"], item["offer_count"], item["selected_offer"]) == (
        "Offer A^Offer B",
        2,
        None,
    )
    assert (item["from_date"], item["to_date"]) == ("2026-01-10", "2026-01-12")
    file_id = item["id"]
    listed = (await live.get("/smart-cleaning-files-voluum")).json()["items"]
    assert [i["id"] for i in listed] == [file_id]
    old_keys = {
        "id", "original_filename", "status", "uploaded_at", "processing_started_at",
        "processed_at", "error_message", "record_count_total", "record_count_clean",
        "offer_count", "offers", "selected_offer",
    }  # fmt: skip
    assert old_keys <= set(listed[0])

    # FTD only: the deposit in GB (a year before the window) goes; the one in DE stays.
    process = f"/{file_id}/process-smart-cleaning-files-voluum"
    await run_job(live, await live.post(process, json={"offers": ["Offer A"]}))
    download = await live.get(f"/{file_id}/download-smart-cleaning-files-voluum")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith(
        f'attachment; filename="processed_voluum_click_GB_{today}.csv"'
    )
    lines = download.text.splitlines()
    assert lines[0] == "447400100001,2026-01-10 00:00:00.000000"  # no header, as before
    # In the file's order (the clickers' listing times).
    assert _numbers(download.text) == [
        "447400100001", "447400100006", "447400100007", "447400100008", "447400100009",
        "447400100002",
    ]  # fmt: skip
    item = (await live.get("/smart-cleaning-files-voluum")).json()["items"][0]
    assert (item["status"], item["record_count_total"], item["record_count_clean"]) == (
        "processed",
        7,
        6,
    )
    assert item["selected_offer"] == "Offer A"
    assert item["outcomes"] == {
        "invalid": 0, "duplicate": 0, "ftd": 1, "reg": 0, "last_24h": 0, "kept": 6,
    }  # fmt: skip

    # Again (a processed file may be), with both filters: the REG goes, and so do the
    # numbers with a live event on offer A in the last 24 hours (08's is a link token).
    started = await live.post(
        process,
        params={"filter_regs": "true", "filter_last_24h": "true"},
        json={"offers": ["Offer A"]},
    )
    await run_job(live, started)
    download = await live.get(f"/{file_id}/download-smart-cleaning-files-voluum")
    assert _numbers(download.text) == ["447400100001", "447400100009", "447400100002"]
    item = (await live.get("/smart-cleaning-files-voluum?status=processed")).json()["items"][0]
    assert item["outcomes"] == {
        "invalid": 0, "duplicate": 0, "ftd": 1, "reg": 1, "last_24h": 2, "kept": 3,
    }  # fmt: skip

    archived = await live.post(f"/{file_id}/archive-smart-cleaning-files-voluum")
    assert archived.status_code == 200
    assert archived.json()["ok"] is True
    assert (await live.post(process, json={"offers": ["Offer A"]})).status_code == 409
    deleted = await live.post(f"/{file_id}/delete-smart-cleaning-files-voluum")
    assert (deleted.status_code, deleted.json()["ok"]) == (200, True)
    gone = await live.get(f"/{file_id}/download-smart-cleaning-files-voluum")
    assert gone.status_code == 404


UPLOAD = (
    "name,phone,city\n"
    "Ann,+44 7400 100021,London\n"  # deposited in GB: removed
    "Bob,07400 100022,Leeds\n"  # a GB number that deposited in DE: kept
    "Cem,+49 151 23456701,Berlin\n"  # deposited in DE: removed
    "Dan,+49 151 23456702,Bonn\n"  # a DE number that deposited in GB: kept
    "Eve,447400100021,York\n"  # Ann again
    "Fay,not a number,Hull\n"
)


async def test_an_upload_is_read_by_its_phone_column_each_number_in_its_country(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await add_conversions(
            conn,
            [
                ("447400100021", "FTD", "GB", "Offer A", JAN),
                ("447400100022", "FTD", "DE", "Offer A", JAN),
                ("4915123456701", "FTD", "DE", "Offer A", JAN),
                ("4915123456702", "FTD", "GB", "Offer A", JAN),
            ],
        )
    upload = await live.post(
        "/upload-smart-cleaning-voluum", files={"file": ("leads.csv", UPLOAD, "text/csv")}
    )
    assert upload.status_code == 200, upload.text
    item = upload.json()
    assert (item["status"], item["country_code"], item["offers"]) == ("uploaded", None, "Offer A")

    process = f"/{item['id']}/process-smart-cleaning-files-voluum"
    await run_job(live, await live.post(process, json={"offers": ["Offer A"]}))

    download = await live.get(f"/{item['id']}/download-smart-cleaning-files-voluum")
    assert download.text == "name,phone,city\nBob,447400100022,Leeds\nDan,4915123456702,Bonn\n"
    listed = (await live.get("/smart-cleaning-files-voluum")).json()["items"][0]
    assert listed["outcomes"] == {
        "invalid": 1, "duplicate": 1, "ftd": 2, "reg": 0, "last_24h": 0, "kept": 2,
    }  # fmt: skip
    assert (listed["record_count_total"], listed["record_count_clean"]) == (6, 2)


async def test_nothing_kept_still_downloads_with_the_header_only_where_there_was_one(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await add_clickers(conn, [("447400100041", "GB", JAN)])
        await add_conversions(
            conn,
            [
                ("447400100041", "FTD", "GB", "Offer A", JAN),
                ("447400100042", "FTD", "GB", "Offer A", JAN),
            ],
        )
    uploaded = await live.post(
        "/upload-smart-cleaning-voluum",
        files={"file": ("all.csv", "phone,name\n447400100042,Ann\n", "text/csv")},
    )
    found = await live.post("/find-smart-cleaning-voluum", params={"country_code": "GB"})
    for created, expected in ((uploaded, "phone,name\n"), (found, "")):
        file_id = created.json()["id"]
        process = f"/{file_id}/process-smart-cleaning-files-voluum"
        await run_job(live, await live.post(process, json={"offers": ["Offer A"]}))
        download = await live.get(f"/{file_id}/download-smart-cleaning-files-voluum")
        assert (download.status_code, download.text) == (200, expected)
