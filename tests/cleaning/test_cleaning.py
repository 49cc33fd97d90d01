"""Cleaning through the HTTP API, as the frontend does it: upload, process, follow, download."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.jobs.test_progress_and_schedules import parse_sse

# One person per line; the comment says what the cleaner must decide.
ROWS = [
    ("phone", "name", "note"),
    ("+44 7400 100001", "Ann", "clean"),
    ("07400 100002", "Bob", "blacklisted (national format)"),
    ("0044 7400 100003", "Cat", "monitored"),
    ("4.47400100004e+11", "Dan", "converted (spreadsheet float)"),
    ("447400100005", "Eve", "whitelisted, kept"),
    ("+44 (0)7400-100.001", "Fay", "duplicate of Ann across formats"),
    ("{{phone}}", "Gus", "invalid placeholder"),
    ("12345", "Hal", "invalid, too short"),
    ("447400100006", "Zoë", "=HYPERLINK(evil)"),
    ("447400100007", "Ida", "seen before"),
    ("", "Jon", "empty"),
]
EXPECTED_CLEAN = [
    ("phone", "name", "note"),
    ("447400100001", "Ann", "clean"),
    ("447400100005", "Eve", "whitelisted, kept"),
    ("447400100006", "Zoë", "'=HYPERLINK(evil)"),
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv(rows: list[tuple[str, ...]], newline: str = "\r\n") -> str:
    return newline.join(",".join(f'"{c}"' if "," in c else c for c in row) for row in rows)


async def _seed(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            """
            INSERT INTO phone_lists (custom_variable_1, list_name, decided_by)
            VALUES ('447400100002', 'blacklist', 'manual'),
                   ('447400100003', 'monitor', 'os_version'),
                   ('447400100005', 'whitelist', 'os_version')
            """
        )
        await conn.execute(
            "INSERT INTO api_voluum_conversions (click_id, conversion_type, custom_variable_1) "
            "VALUES ('c1', 'FTD', '447400100004'), ('c2', 'REG', '{{phoneNumber}}')"
        )
        await conn.execute("INSERT INTO main_database (custom_variable_1) VALUES ('447400100007')")


async def _process(live: httpx.AsyncClient, file_id: str, **flags: str) -> dict[str, str]:
    started = await live.post(f"/{file_id}/process", params=flags)
    assert started.status_code == 200, started.text
    body = started.json()
    assert (body["ok"], body["status"]) == (True, "processing")
    events = parse_sse((await live.get(f"/jobs/{body['job_id']}/events", timeout=60)).text)
    assert events[-1]["event"] == "done", events
    return body


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("latin-1"),
        lambda text: text.encode("utf-16"),
    ],
    ids=["utf8-bom", "latin-1", "utf-16"],
)
async def test_a_messy_file_is_cleaned_number_by_number(
    live: httpx.AsyncClient, pool: asyncpg.Pool, encode
) -> None:  # type: ignore[no-untyped-def]
    await _seed(pool)
    upload = await live.post(
        "/upload", files={"file": ("leads.csv", encode(_csv(ROWS)), "text/csv")}
    )
    assert upload.status_code == 200, upload.text
    file_id = upload.json()["id"]
    flags = {
        "include_blacklist": "true",
        "include_monitor": "true",
        "include_conversion": "true",
        "include_main_database": "true",
        "annotate": "true",
    }
    await _process(live, file_id, **flags)

    download = await live.get(f"/{file_id}/download")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="processed_leads.csv"'
    )
    assert [tuple(row) for row in _rows(download.text)] == EXPECTED_CLEAN

    stats = (await live.get(f"/{file_id}/stats")).json()
    assert {k: v for k, v in stats.items() if k not in ("file_id", "created_at")} == {
        "total_records": 11,
        "removed_blacklist": 1,
        "removed_monitor": 1,
        "removed_conversion": 1,
        "removed_maindatabase": 1,
        "removed_duplicates": 1,
        "removed_invalid": 3,
        "removed_non_mobile": 0,
        "final_clean_count": 3,
        "line_types": {"mobile": 7},  # every distinct valid number
    }
    annotated = _rows((await live.get(f"/{file_id}/download-annotated")).text)
    assert annotated[0] == ["phone", "name", "note", "outcome", "reason", "line_type"]
    assert {row[-1] for row in annotated[1:] if row[-3] != "invalid"} == {"mobile"}
    assert {row[-1] for row in annotated[1:] if row[-3] == "invalid"} == {""}
    outcomes = [row[-3:-1] for row in annotated[1:]]
    assert outcomes == [
        ["clean", ""],
        ["blacklisted", ""],
        ["monitored", ""],
        ["converted", ""],
        ["whitelisted", ""],
        ["duplicate", ""],
        ["invalid", "placeholder"],
        ["invalid", "too_short"],
        ["clean", ""],
        ["seen", ""],
        ["invalid", "empty"],
    ]
    listed = (await live.get("/files")).json()["items"][0]
    assert (listed["status"], listed["record_count_total"], listed["record_count_clean"]) == (
        "processed",
        11,
        3,
    )
    # The kept numbers are now "seen" for the next run.
    async with pool.acquire() as conn:
        seen = await conn.fetch("SELECT custom_variable_1 FROM main_database ORDER BY 1")
    assert [r[0] for r in seen] == ["447400100001", "447400100005", "447400100006", "447400100007"]


async def test_without_flags_only_invalid_and_duplicate_rows_go(
    live: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await _seed(pool)
    rows = [r[:1] for r in ROWS[1:]]  # one column, no header
    upload = await live.post(
        "/upload", files={"file": ("plain.csv", _csv(rows, "\n").encode(), "text/csv")}
    )
    file_id = upload.json()["id"]
    await _process(live, file_id)
    kept = (await live.get(f"/{file_id}/download")).text.splitlines()
    assert kept == [
        "447400100001",
        "447400100002",
        "447400100003",
        "447400100004",
        "447400100005",
        "447400100006",
        "447400100007",
    ]


async def test_processing_twice_at_once_is_409_and_an_unknown_file_404(
    live: httpx.AsyncClient,
) -> None:
    upload = await live.post("/upload", files={"file": ("a.csv", b"447400100001\n", "text/csv")})
    file_id = upload.json()["id"]
    first = await live.post(f"/{file_id}/process")
    second = await live.post(f"/{file_id}/process")
    assert first.status_code == 200
    assert second.status_code == 409
    unknown = await live.post("/00000000-0000-0000-0000-000000000000/process")
    assert unknown.status_code == 404
    assert (await live.get("/00000000-0000-0000-0000-000000000000/stats")).status_code == 404


async def _upload_and_process(
    live: httpx.AsyncClient, data: bytes, **flags: str
) -> tuple[str, httpx.Response]:
    upload = await live.post("/upload", files={"file": ("f.csv", data, "text/csv")})
    assert upload.status_code == 200, upload.text
    file_id = upload.json()["id"]
    await _process(live, file_id, **flags)
    return file_id, await live.get(f"/{file_id}/download")


async def test_nothing_kept_is_a_result_too(live: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    await _seed(pool)
    file_id, download = await _upload_and_process(
        live,
        b"phone\n07400 100002\n447400100002\n",
        include_blacklist="true",
        include_main_database="true",
    )
    assert download.text.splitlines() == ["phone"]
    stats = (await live.get(f"/{file_id}/stats")).json()
    assert (stats["final_clean_count"], stats["removed_blacklist"]) == (0, 1)


async def test_a_header_without_rows_is_processed(live: httpx.AsyncClient) -> None:
    file_id, download = await _upload_and_process(live, b"phone;name\r\n", annotate="true")
    assert download.text.splitlines() == ["phone;name"]
    assert (await live.get(f"/{file_id}/stats")).json()["total_records"] == 0


async def test_no_annotated_file_without_annotate_says_why(live: httpx.AsyncClient) -> None:
    file_id, download = await _upload_and_process(live, b"phone\n447400100001\n")
    assert download.status_code == 200
    missing = await live.get(f"/{file_id}/download-annotated")
    assert missing.status_code == 404
    assert missing.json()["detail"] == (
        "No annotated file: the file was processed without annotate=true"
    )


async def test_the_delimiter_comes_back_and_formulas_stay_inert(live: httpx.AsyncClient) -> None:
    file_id, download = await _upload_and_process(
        live, b"phone;name\n447400100001;Ann\n=1+2;@evil\n", annotate="true"
    )
    assert download.text.splitlines() == ["phone;name", "447400100001;Ann"]
    annotated = (await live.get(f"/{file_id}/download-annotated")).text.splitlines()
    assert annotated[2] == "'=1+2;'@evil;invalid;not_a_number;"


async def test_deleting_a_file_deletes_every_object_of_it(
    live: httpx.AsyncClient, tmp_path: Path
) -> None:
    file_id, _ = await _upload_and_process(live, b"447400100001\n", annotate="true")
    stored = sorted(p.name for p in tmp_path.rglob("*.csv"))
    assert stored == [f"{file_id}.annotated.csv", f"{file_id}.csv", f"{file_id}.csv"]
    assert (await live.post(f"/{file_id}/delete")).status_code == 200
    assert list(tmp_path.rglob("*.csv")) == []
