"""The shared file lifecycle, through the cleaning routes (/upload, /files, ...)."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest

from app.auth.schemas import Scope
from app.files.repository import FileRepository
from app.files.service import FileChangedError, FileService, IllegalTransitionError
from app.jobs.repository import JobRepository
from app.main import create_app, load_queries
from app.settings import Settings
from app.storage import LocalStorage
from tests.conftest import SingleConnection, make_settings, serve_in_loop

CSV = "phone,name\r\n+44 7400 100001,Zoë\r\n\r\n07400 100002,Åsa\r\n"


def _form(data: bytes, name: str = "list.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "text/csv")}


def _stored(settings: Settings, raw: dict) -> bytes:
    record_key = f"raw/cleaning/{raw['id']}.csv"
    return (settings.storage.upload_root / record_key).read_bytes()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CSV.encode("utf-8"), "utf-8-sig"),
        (CSV.encode("utf-16"), "utf-16"),
        (CSV.encode("latin-1"), "latin-1"),
    ],
)
async def test_an_upload_is_sniffed_and_stored_as_utf8(
    client: httpx.AsyncClient, settings: Settings, data: bytes, encoding: str
) -> None:
    response = await client.post("/upload", files=_form(data))
    assert response.status_code == 200
    receipt = response.json()
    assert receipt["status"] == "uploaded"
    assert receipt["original_filename"] == "list.csv"
    assert receipt["encoding"] == encoding
    assert receipt["delimiter"] == ","
    assert receipt["record_count_total"] == 3  # the header counts, the blank line does not
    # Stored as UTF-8 with `\n` line endings, whatever came (so CR-only files have rows).
    assert _stored(settings, receipt) == CSV.replace("\r\n", "\n").encode("utf-8")


async def test_the_delimiter_is_found(client: httpx.AsyncClient) -> None:
    data = b"phone;name\n447400100001;Ann\n447400100002;Bob\n"
    receipt = (await client.post("/upload", files=_form(data))).json()
    assert receipt["delimiter"] == ";"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is not a text (CSV) file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "The file is not a text (CSV) file"),
        (b"", "CSV file is empty"),
        (b"\n \n", "CSV file is empty"),
    ],
)
async def test_a_file_that_is_not_csv_is_400_and_nothing_is_stored(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    data: bytes,
    detail: str,
) -> None:
    before = set(settings.storage.upload_root.rglob("*"))
    response = await client.post("/upload", files=_form(data, "photo.csv"))
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert await conn.fetchval("SELECT count(*) FROM files") == 0
    assert set(settings.storage.upload_root.rglob("*")) == before


async def test_json_is_not_an_upload(client: httpx.AsyncClient) -> None:
    response = await client.post("/upload", json={"file": "447400100001"})
    assert response.status_code == 415


async def test_lists_are_newest_first_and_filter_by_status(client: httpx.AsyncClient) -> None:
    first = (await client.post("/upload", files=_form(b"447400100001\n", "a.csv"))).json()
    second = (await client.post("/upload", files=_form(b"447400100002\n", "b.csv"))).json()
    await client.post(f"/{first['id']}/archive")

    listed = (await client.get("/files")).json()["items"]
    assert [item["id"] for item in listed] == [second["id"], first["id"]]
    assert listed[0]["record_count_total"] == 1
    only = (await client.get("/files", params={"status": "archived"})).json()["items"]
    assert [item["id"] for item in only] == [first["id"]]
    both = (await client.get("/files", params={"status": "uploaded,archived"})).json()["items"]
    assert len(both) == 2
    bad = await client.get("/files", params={"status": "uploaded,bogus"})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Unknown status: bogus"


async def test_unknown_ids_are_404_with_the_old_detail(client: httpx.AsyncClient) -> None:
    unknown = "00000000-0000-0000-0000-00000000000f"
    for method, path in (
        ("GET", f"/{unknown}/download"),
        ("POST", f"/{unknown}/archive"),
        ("POST", f"/{unknown}/delete"),
    ):
        response = await client.request(method, path)
        assert response.status_code == 404
        assert response.json()["detail"] == "File not found"


async def test_the_processing_states_and_the_download(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    receipt = (await client.post("/upload", files=_form(CSV.encode(), "Zoë's list.csv"))).json()
    file_id = UUID(receipt["id"])
    early = await client.get(f"/{file_id}/download")
    assert early.status_code == 400
    assert early.json()["detail"] == "File not processed yet"

    storage = LocalStorage(settings.storage.upload_root)
    service = FileService(FileRepository(conn, load_queries()), storage)
    # Processing is done by a job that holds the file under its lease.
    started = await service.start_processing(
        "cleaning", file_id, job_kind="demo.clean", options={"include_blacklist": True}
    )
    assert started.status == "processing"
    job = await conn.fetchrow("SELECT kind, payload FROM jobs WHERE id = $1", started.job_id)
    assert job["kind"] == "demo.clean"
    assert job["payload"] == {"file_id": str(file_id), "include_blacklist": True}

    again = await client.get("/files")
    assert again.json()["items"][0]["status"] == "processing"
    with pytest.raises(IllegalTransitionError, match="File is processing"):
        await service.start_processing("cleaning", file_id, job_kind="demo.clean", options={})
    queued = await conn.fetchval(
        "SELECT count(*) FROM jobs WHERE payload->>'file_id' = $1", str(file_id)
    )
    assert queued == 1  # the refused start queued none

    result = settings.storage.upload_root / "result.csv"
    result.write_text("447400100001\n")
    key = f"processed/cleaning/{file_id}.csv"
    await storage.put_file(key, result)
    jobs = JobRepository(conn, load_queries())
    claimed = await jobs.claim(owner="w", kinds=["demo.clean"], lease_seconds=60)
    assert claimed is not None
    with pytest.raises(FileChangedError):  # not the job's lease holder
        await service.finish_processing(
            file_id, job_id=claimed.id, owner="someone-else", result_key=key, total=3, clean=1
        )
    await service.finish_processing(
        file_id, job_id=claimed.id, owner="w", result_key=key, total=3, clean=1
    )

    download = await client.get(f"/{file_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.text == "447400100001\n"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="processed_Zo_\'s list.csv"')
    assert "filename*=UTF-8''processed_Zo%C3%AB%27s%20list.csv" in disposition


async def test_delete_removes_the_row_and_the_stored_objects(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    receipt = (await client.post("/upload", files=_form(b"447400100001\n"))).json()
    stored = settings.storage.upload_root / f"raw/cleaning/{receipt['id']}.csv"
    assert stored.exists()
    deleted = await client.post(f"/{receipt['id']}/delete")
    assert deleted.json() == {"ok": True, "id": receipt["id"], "status": "deleted"}
    assert not stored.exists()
    assert (await client.post(f"/{receipt['id']}/delete")).status_code == 404


async def _endless(chunk: bytes, counter: list[int], limit: int) -> AsyncIterator[bytes]:
    for _ in range(limit):
        counter[0] += 1
        yield chunk


async def test_a_2gb_upload_is_refused_before_it_is_read(
    anonymous: httpx.AsyncClient, keys: dict[Scope, str], conn: asyncpg.Connection
) -> None:
    sent = [0]
    megabyte = b"4" * (1024 * 1024)
    response = await anonymous.post(
        "/upload",
        content=_endless(megabyte, sent, 2048),
        headers={
            "X-API-Key": keys["write"],
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(2048 * 1024 * 1024),
        },
    )
    assert response.status_code == 413
    assert sent[0] <= 1  # the body was never read
    assert await conn.fetchval("SELECT count(*) FROM files") == 0


async def test_an_undeclared_oversized_upload_is_cut_off_and_nothing_stored(
    database_url: str, conn: asyncpg.Connection, keys: dict[Scope, str], tmp_path: Path
) -> None:
    settings = make_settings(
        database_url, MAX_UPLOAD_BYTES=str(4 * 1024 * 1024), UPLOAD_ROOT=str(tmp_path)
    )
    app = create_app(settings, connections=SingleConnection(conn))
    sent = [0]
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'

    async def stream() -> AsyncIterator[bytes]:
        yield body
        async for chunk in _endless(b"447400100001\n" * 80_000, sent, 2000):
            yield chunk

    async with serve_in_loop(app) as client:
        response = await client.post(
            "/upload",
            content=stream(),
            headers={"X-API-Key": keys["write"], "Content-Type": "multipart/form-data; boundary=x"},
        )
    assert response.status_code == 413
    assert sent[0] < 10  # about 4 MiB of 2 GB, then it stopped
    assert list(tmp_path.rglob("*.csv")) == []
    assert await conn.fetchval("SELECT count(*) FROM files") == 0


async def test_an_archived_file_can_still_be_downloaded(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    receipt = (await client.post("/upload", files=_form(b"447400100001\n"))).json()
    key = f"processed/cleaning/{receipt['id']}.csv"
    (settings.storage.upload_root / "processed/cleaning").mkdir(parents=True, exist_ok=True)
    (settings.storage.upload_root / key).write_text("447400100001\n")
    await conn.execute(
        "UPDATE files SET status = 'processed', result_key = $1 WHERE id = $2",
        key,
        UUID(receipt["id"]),
    )
    await client.post(f"/{receipt['id']}/archive")
    download = await client.get(f"/{receipt['id']}/download")
    assert download.status_code == 200
    assert download.text == "447400100001\n"
    (settings.storage.upload_root / key).unlink()
    missing = await client.get(f"/{receipt['id']}/download")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Processed file missing on disk"


async def test_a_file_that_turns_binary_or_changes_encoding_later_is_refused(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    head = b"447400100001\n" * 10_000  # past the 64 KiB that sniffing reads
    for tail, detail in (
        (b"\x00\x01\x02binary", "The file is not a text (CSV) file"),
        ("Zoë\n".encode("latin-1"), "The file is not valid UTF-8 at byte 130002"),
    ):
        before = set(settings.storage.upload_root.rglob("*.csv"))
        response = await client.post("/upload", files=_form(head + tail))
        assert response.status_code == 400
        assert response.json()["detail"].startswith(detail)
        assert set(settings.storage.upload_root.rglob("*.csv")) == before
    assert await conn.fetchval("SELECT count(*) FROM files") == 0
