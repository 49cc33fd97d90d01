"""Every path sees every row whatever a file's line endings, and a file's name is shown
as the client sent it, minus what is no text."""

from __future__ import annotations

import base64
import csv
import io

import httpx
import pytest

from app.files.service import MAX_NAME, display_name
from app.files.sniff import LineEndings
from tests.jobs.test_progress_and_schedules import parse_sse

AES_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
NUMBERS = ["447400100101", "447400100102", "447400100103", "447400100104"]


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"AES_KEY": AES_KEY}


@pytest.mark.parametrize("size", [1, 2, 3, 5, 1000])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_become_newlines_whatever_the_chunks(newline: str, size: int) -> None:
    text = newline.join(["phone", "", *NUMBERS]) + newline
    data = text.encode()
    endings = LineEndings()
    out = b"".join(endings.feed(data[i : i + size]) for i in range(0, len(data), size))
    out += endings.flush()
    assert out.decode() == "\n".join(["phone", "", *NUMBERS]) + "\n"


async def _follow(live: httpx.AsyncClient, job_id: str) -> None:
    events = parse_sse((await live.get(f"/jobs/{job_id}/events", timeout=60)).text)
    assert events[-1]["event"] == "done", events


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
async def test_cleaning_encryption_and_imports_keep_every_row(
    live: httpx.AsyncClient, newline: str
) -> None:
    text = newline.join(["phone,name", *(f"{n},person {i}" for i, n in enumerate(NUMBERS))])
    data = text.encode()

    upload = await live.post("/upload", files={"file": ("mac.csv", data, "text/csv")})
    assert upload.json()["record_count_total"] == 5  # the header and four rows
    file_id = upload.json()["id"]
    started = await live.post(f"/{file_id}/process", params={"annotate": "true"})
    await _follow(live, started.json()["job_id"])
    annotated = list(
        csv.reader(io.StringIO((await live.get(f"/{file_id}/download-annotated")).text))
    )
    assert [row[0] for row in annotated[1:]] == NUMBERS
    assert {tuple(row[-3:]) for row in annotated[1:]} == {("clean", "", "mobile")}

    upload = await live.post("/upload-encrypted", files={"file": ("mac.csv", data, "text/csv")})
    file_id = upload.json()["id"]
    started = await live.post(f"/{file_id}/process-encrypted")
    await _follow(live, started.json()["job_id"])
    tokens = list(csv.reader(io.StringIO((await live.get(f"/{file_id}/download-encrypted")).text)))
    assert [row[0] for row in tokens] == NUMBERS
    assert all(not row[1].startswith("#error") for row in tokens)

    imported = await live.post(
        "/import-blacklist-csv", files={"file": ("mac.csv", data, "text/csv")}
    )
    assert (imported.json()["rows_imported"], imported.json()["accepted"]) == (4, 4)
    result = await live.get(f"/db-manual-update/{imported.json()['id']}/download")
    assert [row[0] for row in csv.reader(io.StringIO(result.text))][1:] == NUMBERS


async def test_a_nul_in_a_file_name_is_dropped_not_a_500(client: httpx.AsyncClient) -> None:
    # Written by hand: httpx would percent-encode the NUL, a hostile client does not.
    body = (
        b"--b\r\n"
        b'Content-Disposition: form-data; name="file"; filename="evil\x00name.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
        b"phone\n447400100001\n\r\n"
        b"--b--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    response = await client.post("/upload", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["original_filename"] == "evilname.csv"
    listed = (await client.get("/files")).json()["items"]
    assert listed[0]["original_filename"] == "evilname.csv"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("Zoë's list.csv", "Zoë's list.csv"),
        ("C:\\fakepath\\leads.csv", "leads.csv"),
        ("../../etc/passwd", "passwd"),
        ("tab\tand\nnewline.csv", "tab and newline.csv"),
        ("\u202evsc.exe", "vsc.exe"),
        ("\x01\x02", "upload.csv"),
    ],
)
def test_names_stay_recognizable_without_what_is_no_text(sent: str, shown: str) -> None:
    assert display_name(sent) == shown


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = display_name("a" * 1000 + ".csv")
    assert len(name) == MAX_NAME
    assert name.endswith("aaa.csv")


RAGGED = (
    "phone,tag,src,name\n"
    "447400110050\n"  # a short first data row
    "447400110051,a,b,Ann\n"
    "447400110052,a,b,Bob,an,extra,cell\n"  # a long one
    "447400110053,a\n"
)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
async def test_ragged_rows_keep_every_row_in_encryption_and_imports(
    live: httpx.AsyncClient, bom: bytes
) -> None:
    data = bom + RAGGED.encode()
    numbers = ["447400110050", "447400110051", "447400110052", "447400110053"]

    upload = await live.post("/upload-encrypted", files={"file": ("ragged.csv", data, "text/csv")})
    file_id = upload.json()["id"]
    started = await live.post(f"/{file_id}/process-encrypted")
    await _follow(live, started.json()["job_id"])
    tokens = list(csv.reader(io.StringIO((await live.get(f"/{file_id}/download-encrypted")).text)))
    assert [row[0] for row in tokens] == numbers
    assert all(not row[1].startswith("#error") for row in tokens)

    imported = await live.post(
        "/import-blacklist-csv", files={"file": ("ragged.csv", data, "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    assert (imported.json()["rows_imported"], imported.json()["accepted"]) == (4, 4)
    result = await live.get(f"/db-manual-update/{imported.json()['id']}/download")
    assert [row[0] for row in csv.reader(io.StringIO(result.text))][1:] == numbers
