"""Line types and regions through the HTTP API: `exclude_non_mobile`, the stats per line
type, the annotated `line_type`, `?region=` and a file's own country column."""

from __future__ import annotations

import httpx
import pytest

from tests.cleaning.test_cleaning import _rows, _upload_and_process

# One number of each kind the filter decides on (libphonenumber's metadata).
MIXED = (
    "phone,name\n"
    "+44 7400 100001,mobile\n"
    "020 7946 0123,london landline\n"
    "0800 123 4567,toll free\n"
    "+1 201 555 0123,NANP fixed line or mobile\n"
    "+1 800 555 0123,NANP toll free\n"
    "+44 7400 100001,a repeat\n"
    "12345,junk\n"
)


async def test_exclude_non_mobile_keeps_what_an_sms_reaches(live: httpx.AsyncClient) -> None:
    file_id, download = await _upload_and_process(
        live, MIXED.encode(), exclude_non_mobile="true", annotate="true"
    )
    assert _rows(download.text) == [
        ["phone", "name"],
        ["447400100001", "mobile"],
        ["12015550123", "NANP fixed line or mobile"],
    ]
    stats = (await live.get(f"/{file_id}/stats")).json()
    assert (stats["removed_non_mobile"], stats["removed_duplicates"]) == (3, 1)
    assert stats["removed_invalid"] == 1
    assert stats["final_clean_count"] == 2
    assert stats["line_types"] == {
        "mobile": 1,
        "fixed_line": 1,
        "toll_free": 2,
        "fixed_line_or_mobile": 1,
    }
    annotated = _rows((await live.get(f"/{file_id}/download-annotated")).text)
    assert [row[2:] for row in annotated[1:]] == [
        ["clean", "", "mobile"],
        ["non_mobile", "", "fixed_line"],
        ["non_mobile", "", "toll_free"],
        ["clean", "", "fixed_line_or_mobile"],
        ["non_mobile", "", "toll_free"],
        ["duplicate", "", "mobile"],
        ["invalid", "too_short", ""],
    ]


async def test_without_the_filter_every_line_type_is_kept(live: httpx.AsyncClient) -> None:
    file_id, download = await _upload_and_process(live, MIXED.encode())
    assert len(_rows(download.text)) == 1 + 5
    stats = (await live.get(f"/{file_id}/stats")).json()
    assert stats["removed_non_mobile"] == 0
    assert sum(stats["line_types"].values()) == 5


async def test_a_region_reads_national_numbers_in_that_country(live: httpx.AsyncClient) -> None:
    data = b"phone\n0151 23456789\n040 12345678\n+44 7400 100001\n"
    _, in_gb = await _upload_and_process(live, data)
    assert _rows(in_gb.text) == [["phone"], ["447400100001"]]  # German numbers are no GB ones
    _, in_de = await _upload_and_process(live, data, region="de")
    assert _rows(in_de.text) == [
        ["phone"],
        ["4915123456789"],
        ["494012345678"],
        ["447400100001"],  # an international number is the same anywhere
    ]


async def test_each_row_is_read_in_its_own_country(live: httpx.AsyncClient) -> None:
    data = (
        b"Mobile,Country\n"
        b"0151 23456789,Germany\n"
        b"06 12 34 56 78,FR\n"
        b"07400 100001,United Kingdom\n"
        b"(201) 555-0123,us\n"
        b"07400 100002,\n"  # no country: the default region
        b"07400 100003,Atlantis\n"  # an unknown one too
        b"0151 23456790,Deutschland\n"  # names in other languages
    )
    _, download = await _upload_and_process(live, data)
    assert [row[0] for row in _rows(download.text)] == [
        "Mobile",
        "4915123456789",
        "33612345678",
        "447400100001",
        "12015550123",
        "447400100002",
        "447400100003",
        "4915123456790",
    ]


@pytest.mark.parametrize("region", ["XX", "ß", "\uff24\uff25", "\u0664\u0664"])
async def test_an_unknown_region_is_refused(live: httpx.AsyncClient, region: str) -> None:
    upload = await live.post("/upload", files={"file": ("f.csv", b"phone\n447400100001\n")})
    file_id = upload.json()["id"]
    refused = await live.post(f"/{file_id}/process", params={"region": region})
    assert refused.status_code == 400
    assert f"Unknown region {region!r}" in refused.json()["detail"]
    # Nothing was started: the file can still be processed.
    listed = (await live.get("/files")).json()["items"][0]
    assert listed["status"] == "uploaded"
