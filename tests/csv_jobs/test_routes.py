"""The CSV job routes: the old paths, shapes and detail strings, with the fixes."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar import Litestar

from app.main import create_app
from app.settings import Settings
from tests.conftest import SingleConnection, make_settings, serve_in_loop
from tests.csv_jobs.conftest import HEADER, ONGAGE, contacts_csv, email

ONGAGE_ENV = {
    "LIST_ID": "4321",
    "X_USERNAME": "api-user",
    "X_PASSWORD": "ongage-pass-123",
    "X_ACCOUNT_CODE": "acme01",
    "ONGAGE_BASE_URL": ONGAGE,
}


@pytest.fixture
def app(database_url: str, tmp_path: Path, conn: asyncpg.Connection) -> Litestar:
    settings = make_settings(database_url, UPLOAD_ROOT=str(tmp_path), **ONGAGE_ENV)
    return create_app(settings, connections=SingleConnection(conn))


async def upload(
    client: httpx.AsyncClient, raw: bytes, name: str = "contacts.csv"
) -> httpx.Response:
    return await client.post("/csv-jobs/upload", files={"file": (name, raw, "text/csv")})


async def job_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM csv_jobs")
    return count


async def test_an_upload_answers_the_old_shape_and_keeps_every_row(
    client: httpx.AsyncClient,
) -> None:
    raw = contacts_csv(3) + (
        b"abc,,GB,s,1,REG,o,LIVE,u\n12,not-an-email,GB,s,1,REG,o,LIVE,u\n"
        b"12x,+447400199999@yourmobile.com,GB,s,1,REG,o,LIVE,u\n"
    )
    response = await upload(client, b"\xef\xbb\xbf" + raw)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["status"] == "draft"
    assert body["original_filename"] == "contacts.csv"
    assert (body["total_records"], body["valid_records"], body["invalid_records"]) == (6, 3, 3)
    assert body["invalid_examples"] == [
        {"position": 3, "email": None, "reason": "no email"},
        {"position": 4, "email": "not-an-email", "reason": "not an email address"},
        {
            "position": 5,
            "email": "+447400199999@yourmobile.com",
            "reason": "List_ID is not a number",
        },
    ]
    listed = (await client.get("/csv-jobs")).json()["items"]
    (item,) = [i for i in listed if i["id"] == body["job_id"]]
    assert item["status"] == "draft"
    assert (item["interval_seconds"], item["lower_limit"], item["upper_limit"]) == (60, 1, 1)
    assert (item["sent"], item["failed"], item["invalid"], item["remaining"]) == (0, 0, 3, 3)
    assert item["next_run_at"] is None
    assert item["last_error"] is None
    invalid = await client.get(
        f"/csv-jobs/{body['job_id']}/records", params={"send_status": "invalid"}
    )
    assert [(r["position"], r["error_message"]) for r in invalid.json()["items"]] == [
        (3, "no email"),
        (4, "not an email address"),
        (5, "List_ID is not a number"),
    ]


@pytest.mark.parametrize(
    ("name", "raw", "detail"),
    [
        ("contacts.txt", contacts_csv(2), "Only CSV files are supported"),
        (
            "contacts.csv",
            b"Email,List_ID,Mobile,Source,HLR_Status,Original_source\n" + email(1).encode(),
            "Missing required CSV columns: Country, conversion_type, Uuid",
        ),
        ("contacts.csv", (HEADER + "\n").encode(), "CSV file is empty"),
        ("contacts.csv", b"", "CSV file is empty"),
        # Past the sniffed head (3,000 rows are ~200 KB): PostgreSQL would refuse the NUL.
        (
            "contacts.csv",
            contacts_csv(3000) + b",a\x00b@x.com,GB,drip,1,REG,ads,LIVE,u\n",
            "The file is not a text (CSV) file",
        ),
    ],
    ids=["not-csv", "missing-columns", "header-only", "empty", "nul-past-the-head"],
)
async def test_a_bad_upload_is_refused_before_anything_is_created(
    client: httpx.AsyncClient, conn: asyncpg.Connection, name: str, raw: bytes, detail: str
) -> None:
    before = await job_count(conn)
    response = await upload(client, raw, name)
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert await job_count(conn) == before


async def test_patch_checks_the_pace_and_the_job(client: httpx.AsyncClient) -> None:
    job_id = (await upload(client, contacts_csv(2))).json()["job_id"]
    pace = {"interval_seconds": 60, "lower_limit": 10, "upper_limit": 20}
    response = await client.patch(f"/csv-jobs/{job_id}", params=pace)
    assert response.json() == {"ok": True, "job_id": job_id}
    (item,) = [i for i in (await client.get("/csv-jobs")).json()["items"] if i["id"] == job_id]
    assert (item["interval_seconds"], item["lower_limit"], item["upper_limit"]) == (60, 10, 20)

    unknown = await client.patch(f"/csv-jobs/{uuid.uuid4()}", params=pace)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "Job not found")
    reversed_limits = await client.patch(f"/csv-jobs/{job_id}", params=pace | {"lower_limit": 30})
    assert reversed_limits.status_code == 400
    assert reversed_limits.json()["detail"] == "upper_limit must be >= lower_limit"
    too_fast = await client.patch(f"/csv-jobs/{job_id}", params=pace | {"interval_seconds": 59})
    assert too_fast.status_code == 400
    assert too_fast.json()["detail"] == "Interval Time must be greater than 60 seconds"
    for bad in ({"interval_seconds": 9}, {"lower_limit": 0}, {"upper_limit": None}):
        params = {k: v for k, v in (pace | bad).items() if v is not None}
        assert (await client.patch(f"/csv-jobs/{job_id}", params=params)).status_code == 400


async def test_transitions_follow_the_old_rules_and_refuse_with_409(
    client: httpx.AsyncClient,
) -> None:
    job_id = (await upload(client, contacts_csv(2))).json()["job_id"]

    async def act(action: str) -> tuple[int, object]:
        response = await client.post(f"/csv-jobs/{job_id}/{action}")
        body = response.json()
        return response.status_code, body if response.status_code == 200 else body["detail"]

    assert await act("pause") == (409, "Job not running")
    assert await act("resume") == (409, "Job not paused")
    assert await act("start") == (200, {"ok": True, "status": "running"})
    assert await act("start") == (409, "Job not in a startable state")
    assert await act("resume") == (409, "Job not paused")
    assert await act("pause") == (200, {"ok": True, "status": "paused"})
    assert await act("pause") == (409, "Job not running")
    assert await act("resume") == (200, {"ok": True, "status": "running"})
    (item,) = [i for i in (await client.get("/csv-jobs")).json()["items"] if i["id"] == job_id]
    assert item["status"] == "running"
    assert item["next_run_at"] is not None
    for action in ("start", "pause", "resume"):
        unknown = await client.post(f"/csv-jobs/{uuid.uuid4()}/{action}")
        assert unknown.status_code == 404


async def test_history_of_an_unknown_job_is_404_and_a_new_one_is_empty(
    client: httpx.AsyncClient,
) -> None:
    job_id = (await upload(client, contacts_csv(2))).json()["job_id"]
    assert (await client.get(f"/csv-jobs/{job_id}/history")).json() == {"items": []}
    assert (await client.get(f"/csv-jobs/{uuid.uuid4()}/history")).status_code == 404
    assert (await client.get(f"/csv-jobs/{uuid.uuid4()}/records")).status_code == 404


async def test_starting_without_ongage_answers_503(
    settings: Settings, conn: asyncpg.Connection, keys: dict[str, str]
) -> None:
    async with serve_in_loop(create_app(settings, connections=SingleConnection(conn))) as plain:
        plain.headers["X-API-Key"] = keys["admin"]
        job_id = (await upload(plain, contacts_csv(2))).json()["job_id"]
        response = await plain.post(f"/csv-jobs/{job_id}/start")
    assert response.status_code == 503
    assert "X_PASSWORD" in response.json()["detail"]
