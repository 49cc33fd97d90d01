"""A file with no column of phone numbers fails, and says which columns it has."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.cleaning.layout import NoPhoneColumnError, detect_layout
from tests.jobs.test_progress_and_schedules import parse_sse


async def _failed(live: httpx.AsyncClient, data: bytes) -> str:
    """Uploads and processes `data`; returns the reason the job failed with, after
    checking that the file shows the same reason."""
    upload = await live.post("/upload", files={"file": ("f.csv", data, "text/csv")})
    assert upload.status_code == 200, upload.text
    file_id = upload.json()["id"]
    job_id = (await live.post(f"/{file_id}/process")).json()["job_id"]
    events = parse_sse((await live.get(f"/jobs/{job_id}/events", timeout=60)).text)
    assert events[-1]["event"] == "failed", events
    job = (await live.get(f"/jobs/{job_id}")).json()
    assert (job["status"], job["attempts"]) == ("failed", 1)  # not retried: it cannot help
    listed = {item["id"]: item for item in (await live.get("/files")).json()["items"]}
    assert listed[file_id]["status"] == "failed"
    assert listed[file_id]["error_message"] == job["error"]
    return str(job["error"])


async def test_a_file_of_names_fails_naming_its_columns(live: httpx.AsyncClient) -> None:
    data = b"name,email,city\nAnn,ann@example.com,Leeds\nBob,bob@example.com,York\n"
    error = await _failed(live, data)
    assert error == "No column holds phone numbers (columns: name, email, city)"


async def test_a_file_without_header_is_named_by_position_and_quotes_no_cell(
    live: httpx.AsyncClient,
) -> None:
    # One number in the first row, then none: no column where numbers are a real share.
    rows = ["Ann,447400110050,Leeds"] + [f"Bob{i},n/a,York" for i in range(20)]
    error = await _failed(live, "\n".join(rows).encode())
    assert error == "No column holds phone numbers (columns: column_1, column_2, column_3)"


def test_header_names_are_cut_to_a_sane_length(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"{'very long name ' * 10},  spaced\t out ,Email\nAnn,x,y\n")
    with pytest.raises(NoPhoneColumnError) as failed:
        detect_layout(source, ",", "44")
    assert str(failed.value) == (
        "No column holds phone numbers (columns: very long name very long name…, spaced out, Email)"
    )


def test_a_first_line_with_digits_is_never_quoted(tmp_path: Path) -> None:
    # It may be a header ("address2"), or a row whose number must not reach a message.
    source = tmp_path / "in.csv"
    source.write_text("name,address2\nAnn,x\n")
    with pytest.raises(NoPhoneColumnError, match=r"\(columns: column_1, column_2\)$"):
        detect_layout(source, ",", "44")


@pytest.mark.parametrize(
    "text",
    [
        "phone\n",  # a header that names the column, without rows
        "447400110050\n",  # one number, nothing else
        "name,phone number\nAnn,n/a\n",  # named, though every cell is invalid
        "a,b\nx,447400110050\ny,{{phone}}\nz,12345\n",  # a third are numbers
    ],
)
def test_a_column_that_holds_phones_is_found(tmp_path: Path, text: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(text)
    detect_layout(source, ",", "44")
