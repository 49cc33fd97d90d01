"""Which column holds the phones, and whether the first line is a header."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from app.cleaning.classify import Filters, Lists, classify
from app.cleaning.layout import detect_layout

EMPTY = pl.Series([], dtype=pl.Int64)
NO_LISTS = Lists(EMPTY, EMPTY, EMPTY, EMPTY, EMPTY)


@pytest.mark.parametrize(
    ("text", "header", "phone_index"),
    [
        ("phone,name\n447400100001,Ann\n", ["phone", "name"], 0),
        ("name,Mobile Number\nAnn,07400 100001\n", ["name", "Mobile Number"], 1),
        ("12345,Ann\n447400100001,Bob\n447400100002,Cat\n", None, 0),  # bad first row
        (",Ann\n447400100001,Bob\n", None, 0),  # empty first phone
        ("{{phone}},Ann\n447400100001,Bob\n", None, 0),
        ("12345678,07400100001\n12345679,07400100002\n", None, 1),  # ids, then phones
        ("1700000000,447400100001\n1700000001,447400100002\n", None, 1),  # timestamps
        ("Ann,+44 7400 100001\nBob,07400 100002\n", None, 1),
        ("Contact,Tel\nAnn,07400 100001\n", ["Contact", "Tel"], 1),
    ],
)
def test_layouts(tmp_path: Path, text: str, header: list[str] | None, phone_index: int) -> None:
    path = tmp_path / "in.csv"
    path.write_text(text)
    layout = detect_layout(path, ",", "44")
    assert (layout.header, layout.phone_index) == (header, phone_index)


def test_no_data_row_is_lost_or_renamed(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("12345,Ann\n447400100001,Bob\n\n447400100002,Cat\n")
    layout = detect_layout(path, ",", "44")
    counts = classify(path, layout, NO_LISTS, Filters(), "44", clean_path=tmp_path / "out.csv")
    assert counts.total == 3  # the blank line is no row; the bad first row is a row
    assert counts.by_outcome == {"invalid": 1, "clean": 2}
    assert (tmp_path / "out.csv").read_text() == "447400100001,Bob\n447400100002,Cat\n"


def test_a_formula_header_is_made_inert(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("phone,=cmd()\n447400100001,-5.2\n447400100002,@x\n")
    layout = detect_layout(path, ",", "44")
    classify(path, layout, NO_LISTS, Filters(), "44", clean_path=tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines() == [
        "phone,'=cmd()",
        "447400100001,-5.2",  # a number stays a number
        "447400100002,'@x",
    ]
