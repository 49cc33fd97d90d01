"""The names of the written columns never collide: the file's own, and the annotations."""

from __future__ import annotations

from pathlib import Path

import httpx
import polars as pl

from app.cleaning.classify import Filters, Lists, classify
from app.cleaning.layout import detect_layout
from tests.cleaning.test_cleaning import _rows, _upload_and_process

EMPTY = pl.Series([], dtype=pl.Int64)
NO_LISTS = Lists(EMPTY, EMPTY, EMPTY, EMPTY, EMPTY)


async def test_a_file_with_outcome_and_reason_columns_is_annotated(
    live: httpx.AsyncClient,
) -> None:
    data = b"phone,outcome,reason,outcome_2\n447400110050,sold,called,x\n12345,lost,,y\n"
    file_id, download = await _upload_and_process(live, data, annotate="true")
    assert _rows(download.text)[1] == ["447400110050", "sold", "called", "x"]
    annotated = _rows((await live.get(f"/{file_id}/download-annotated")).text)
    assert annotated == [
        ["phone", "outcome", "reason", "outcome_2", "outcome_3", "reason_2", "line_type"],
        ["447400110050", "sold", "called", "x", "clean", "", "mobile"],
        ["12345", "lost", "", "y", "invalid", "too_short", ""],
    ]


def test_repeated_header_names_stay_unique_whatever_they_are(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("phone,a,a_2,a,,column_5\n447400110050,1,2,3,4,5\n")
    layout = detect_layout(source, ",", "44")
    assert layout.header == ["phone", "a", "a_2", "a_3", "column_5", "column_5_2"]
    classify(source, layout, NO_LISTS, Filters(), "44", clean_path=tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines()[0] == (
        "phone,a,a_2,a_3,column_5,column_5_2"
    )
