"""The HLR routes at the old paths: eligibility, conflicts, progress, downloads before
the end, the /files fields, the risky operators, and 503 without credentials."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest

from app.auth.schemas import Scope
from app.main import create_app
from tests.conftest import SingleConnection, make_settings, serve_in_loop
from tests.hlr.conftest import HLR_ENV


@pytest.fixture
async def hlr_client(
    conn: asyncpg.Connection, database_url: str, tmp_path: Path, keys: dict[Scope, str]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(database_url, UPLOAD_ROOT=str(tmp_path), **HLR_ENV)
    async with serve_in_loop(create_app(settings, connections=SingleConnection(conn))) as client:
        client.headers["X-API-Key"] = keys["admin"]
        yield client


async def _file(conn: asyncpg.Connection, status: str = "processed") -> UUID:
    return await conn.fetchval(
        "INSERT INTO files (kind, original_filename, status, result_key)"
        " VALUES ('cleaning', 'leads.csv', $1, 'processed/cleaning/x.csv') RETURNING id",
        status,
    )


async def test_without_credentials_the_hlr_routes_answer_503(client: httpx.AsyncClient) -> None:
    for method, path in [("POST", "/{}/hlr"), ("GET", "/{}/hlr"), ("GET", "/{}/hlr/download")]:
        answer = await client.request(method, path.format(uuid.uuid4()))
        assert answer.status_code == 503, answer.text
        assert "HLRLOOKUP_APIKEY" in answer.json()["detail"]


async def test_starting_needs_a_processed_file_and_no_other_run(
    hlr_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    assert (await hlr_client.post(f"/{uuid.uuid4()}/hlr")).status_code == 404
    uploaded = await _file(conn, "uploaded")
    refused = await hlr_client.post(f"/{uploaded}/hlr")
    assert (refused.status_code, refused.json()["detail"]) == (
        400,
        "File not eligible for HLR (must be processed and not already active)",
    )

    processed = await _file(conn)
    started = await hlr_client.post(f"/{processed}/hlr")
    assert started.status_code == 200, started.text
    body = started.json()
    assert (body["ok"], body["file_id"], body["hlr_status"]) == (True, str(processed), "processing")
    assert (await hlr_client.post(f"/{processed}/hlr")).status_code == 400  # already active
    other = await hlr_client.post(f"/{await _file(conn)}/hlr")
    assert (other.status_code, other.json()["detail"]) == (
        409,
        "Another file is already running HLR",
    )

    view = (await hlr_client.get(f"/{processed}/hlr")).json()
    assert view["hlr_status"] == "uploading"
    assert (view["hlr_batch_id"], view["hlr_num_items"], view["job_id"]) == (
        None, None, body["job_id"],
    )  # fmt: skip
    listed = (await hlr_client.get("/files")).json()["items"]
    item = next(i for i in listed if i["id"] == str(processed))
    hlr_fields = {k: v for k, v in item.items() if k.startswith("hlr_")}
    assert set(hlr_fields) == {
        "hlr_status", "hlr_batch_id", "hlr_started_at", "hlr_completed_at", "hlr_num_items",
        "hlr_num_complete", "hlr_error_message", "hlr_raw_file_path",
    }  # fmt: skip
    assert hlr_fields["hlr_status"] == "uploading"
    early = await hlr_client.get(f"/{processed}/hlr/download")
    assert (early.status_code, early.json()["detail"]) == (400, "HLR not complete yet")
    raw = await hlr_client.get(f"/{processed}/hlr/raw")
    assert (raw.status_code, raw.json()["detail"]) == (400, "Raw HLR file not available")


async def test_a_file_without_a_run_shows_no_hlr_status(
    hlr_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    file_id = await _file(conn)
    view = (await hlr_client.get(f"/{file_id}/hlr")).json()
    assert (view["file_id"], view["hlr_status"], view["hlr_outcomes"]) == (str(file_id), None, {})
    assert (await hlr_client.get(f"/{uuid.uuid4()}/hlr")).status_code == 404


async def test_risky_operators_are_replaced_by_an_admin_and_matched_by_key(
    hlr_client: httpx.AsyncClient, keys: dict[Scope, str]
) -> None:
    names = ["Lycamobile UK Ltd.", "lycamobile uk ltd", "  ", "Vectone-Mobile"]
    replaced = await hlr_client.put("/hlr/risky-operators", json={"names": names})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"ok": True, "count": 2}
    listed = (await hlr_client.get("/hlr/risky-operators")).json()["items"]
    assert [(i["name"], i["name_key"]) for i in listed] == [
        ("Lycamobile UK Ltd.", "lycamobileukltd"),
        ("Vectone-Mobile", "vectonemobile"),
    ]
    writer = await hlr_client.put(
        "/hlr/risky-operators", json={"names": []}, headers={"X-API-Key": keys["write"]}
    )
    assert writer.status_code == 403
    assert (await hlr_client.put("/hlr/risky-operators", json={"names": []})).json()["count"] == 0
    assert (await hlr_client.put("/hlr/risky-operators", json={"nams": []})).status_code == 400


async def test_a_complete_run_whose_files_are_gone_answers_404(
    hlr_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    file_id = await _file(conn)
    await conn.execute(
        "INSERT INTO hlr_batches (file_id, hlr_status, result_key, raw_key)"
        " VALUES ($1, 'complete', 'hlr/gone/live.csv', 'hlr/gone/raw.csv')",
        file_id,
    )
    live = await hlr_client.get(f"/{file_id}/hlr/download")
    assert (live.status_code, live.json()["detail"]) == (404, "HLR result file missing on disk")
    raw = await hlr_client.get(f"/{file_id}/hlr/raw")
    assert (raw.status_code, raw.json()["detail"]) == (404, "Raw HLR file missing")


async def test_risky_operators_are_replaced_from_an_uploaded_json_or_csv_file(
    hlr_client: httpx.AsyncClient,
) -> None:
    legacy = b'{"risky_networks": ["lycamobileuk", "vectonemobile"]}'
    loaded = await hlr_client.post(
        "/hlr/risky-operators/upload", files={"file": ("risky_operators.json", legacy)}
    )
    assert loaded.json() == {"ok": True, "count": 2}, loaded.text
    table = b"name\nTelna Mobile\n"
    loaded = await hlr_client.post(
        "/hlr/risky-operators/upload", files={"file": ("operators.csv", table)}
    )
    assert loaded.json() == {"ok": True, "count": 1}
    for name, content in [("x.json", b"{"), ("x.csv", b"\xff\xfe\x00"), ("x.csv", b"a\x00b")]:
        refused = await hlr_client.post(
            "/hlr/risky-operators/upload", files={"file": (name, content)}
        )
        assert refused.status_code == 400, (name, refused.text)
