"""Rows of any width, anywhere in the file, are rows: short ones padded, long ones whole."""

from __future__ import annotations

from pathlib import Path

import httpx
import polars as pl
import pytest

from app.cleaning.classify import Filters, Lists, classify
from app.cleaning.layout import TooWideError, detect_layout, widest_row
from tests.cleaning.test_cleaning import _rows, _upload_and_process

EMPTY = pl.Series([], dtype=pl.Int64)
NO_LISTS = Lists(EMPTY, EMPTY, EMPTY, EMPTY, EMPTY)


async def test_a_short_first_data_row_is_a_row(live: httpx.AsyncClient) -> None:
    data = b"phone,tag,src,name\n447400110050\n447400110051,a,b,Ann\n447400110052,c,d,Bob\n"
    file_id, download = await _upload_and_process(live, data, annotate="true")
    assert _rows(download.text) == [
        ["phone", "tag", "src", "name"],
        ["447400110050", "", "", ""],
        ["447400110051", "a", "b", "Ann"],
        ["447400110052", "c", "d", "Bob"],
    ]
    annotated = _rows((await live.get(f"/{file_id}/download-annotated")).text)
    assert annotated[1] == ["447400110050", "", "", "", "clean", "", "mobile"]


async def test_long_rows_keep_their_cells_and_the_header_names_them(
    live: httpx.AsyncClient,
) -> None:
    data = b"phone,name\n447400110050,Ann\n447400110051,Bob,x,y\n447400110052\n"
    file_id, download = await _upload_and_process(live, data, annotate="true")
    assert _rows(download.text) == [
        ["phone", "name", "column_3", "column_4"],
        ["447400110050", "Ann", "", ""],
        ["447400110051", "Bob", "x", "y"],
        ["447400110052", "", "", ""],
    ]
    annotated = _rows((await live.get(f"/{file_id}/download-annotated")).text)
    assert annotated[0] == [
        "phone", "name", "column_3", "column_4", "outcome", "reason", "line_type"
    ]  # fmt: skip
    assert annotated[2] == ["447400110051", "Bob", "x", "y", "clean", "", "mobile"]


async def test_a_file_without_header_is_padded_too(live: httpx.AsyncClient) -> None:
    _, download = await _upload_and_process(live, b"447400110050\n447400110051,x,y\n")
    assert _rows(download.text) == [["447400110050", "", ""], ["447400110051", "x", "y"]]


def test_a_wide_row_past_the_sample_keeps_every_cell(tmp_path: Path) -> None:
    # The layout is read from the first rows; the widest row comes much later.
    rows = [f"4474001{i:05d},n{i}" for i in range(3000)]
    rows.insert(2500, "447400199999,wide,a,b,c")
    source = tmp_path / "in.csv"
    source.write_text("phone,name\n" + "\n".join(rows) + "\n")
    layout = detect_layout(source, ",", "44")
    clean, annotated, seen = tmp_path / "clean.csv", tmp_path / "annotated.csv", tmp_path / "seen"
    counts = classify(
        source,
        layout,
        NO_LISTS,
        Filters(),
        "44",
        clean_path=clean,
        annotated_path=annotated,
        seen_path=seen,
    )
    assert counts.total == 3001
    rows_out = _rows(clean.read_text())
    assert rows_out[0] == ["phone", "name", "column_3", "column_4", "column_5"]
    assert rows_out[1] == ["447400100000", "n0", "", "", ""]
    assert ["447400199999", "wide", "a", "b", "c"] in rows_out
    assert _rows(annotated.read_text())[0][-4:] == ["column_5", "outcome", "reason", "line_type"]
    assert len(seen.read_text().splitlines()) == 3001


def test_a_row_of_thousands_of_cells_fails_the_file_saying_why(tmp_path: Path) -> None:
    rows = [f"4474001{i:05d},n{i}" for i in range(3000)]
    rows[1500] += "," * 1498
    source = tmp_path / "in.csv"
    source.write_text("\n".join(rows) + "\n")
    layout = detect_layout(source, ",", "44")
    with pytest.raises(TooWideError, match=r"^A row has 1,500 cells, more than the 1,000"):
        classify(source, layout, NO_LISTS, Filters(), "44", clean_path=tmp_path / "out.csv")


@pytest.mark.parametrize(
    ("text", "delimiter", "widest"),
    [
        ("a,b\nc\n", ",", 2),
        ("a\nb,c,d\n", ",", 3),
        ('"Smith, John",1\n', ",", 2),  # a delimiter inside quotes is no cell
        ('"say ""hi"", ok",1,2\n', ",", 3),  # escaped quotes
        ('a,"two\nlines, here",b,c\nd\n', ",", 4),  # one row over two lines
        ('a,"x\ny\nz",b\n', ",", 3),  # one row over three lines
        ('ab"c,d\n', ",", 2),  # a quote inside a cell is a character
        ("a\tb\tc\r\nd\r\n", "\t", 3),
        ("a|b||\n", "|", 4),  # empty cells count
        ("", ",", 1),
    ],
)
def test_the_widest_row_is_counted_as_polars_reads_it(
    text: str, delimiter: str, widest: int
) -> None:
    assert widest_row(pl.scan_lines(text.encode()), delimiter) == widest
