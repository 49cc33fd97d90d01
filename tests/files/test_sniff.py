"""Sniffing and re-encoding, across every way a stream can be cut into chunks."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator

import pytest

from app.files.sniff import (
    EmptyFileError,
    LineCounter,
    MixedEncodingError,
    NotTextError,
    sniff,
    to_utf8,
)

TEXT = "phone;name\r\n+44 7400 100001;Zoë\r\n\r\n07400 100002;Åsa\r\n447400100003;Björk"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("latin-1"), "latin-1"),
    ],
)
def test_encodings_and_the_delimiter_are_told(data: bytes, encoding: str) -> None:
    sniffed = sniff(data)
    assert (sniffed.encoding, sniffed.delimiter) == (encoding, ";")


def test_a_multibyte_character_cut_by_the_sniff_window_is_still_utf8() -> None:
    data = ("447400100001,Zoë\n" * 5000).encode()
    cut = data.index("ë".encode()) + 1  # inside the two bytes of ë
    assert sniff(data[:cut]).encoding == "utf-8"


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_nothing_but_whitespace_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyFileError):
        sniff(data)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00", b"PK\x03\x04", b"\x7fELF\x02"])
def test_binary_is_not_text(data: bytes) -> None:
    with pytest.raises(NotTextError):
        sniff(data)


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "latin-1"])
async def test_re_encoding_does_not_depend_on_chunk_boundaries(encoding: str, size: int) -> None:
    data = (codecs.BOM_UTF8 if encoding == "utf-8-sig" else b"") + TEXT.encode(
        "utf-8" if encoding == "utf-8-sig" else encoding
    )
    out = b"".join([c async for c in to_utf8(_chunks(data, size), encoding)])
    assert out == TEXT.encode("utf-8")


async def test_invalid_utf8_later_in_the_stream_is_refused_with_its_position() -> None:
    data = b"447400100001\n" * 100 + "Zoë".encode("latin-1")
    with pytest.raises(MixedEncodingError, match="at byte 1302"):
        async for _ in to_utf8(_chunks(data, 64), "utf-8"):
            pass


@pytest.mark.parametrize("size", [1, 2, 3, 5, 1000])
def test_non_blank_lines_are_counted_whatever_the_chunks(size: int) -> None:
    data = b"header\r\n\r\n447400100001\n  \n\n447400100002\r\n447400100003"
    counter = LineCounter()
    for start in range(0, len(data), size):
        counter.feed(data[start : start + size])
    assert counter.total() == 4


def test_one_enormous_line_is_counted_in_linear_time() -> None:
    counter = LineCounter()
    chunk = b"x" * 1024 * 1024
    for _ in range(256):  # a 256 MiB line: was quadratic (half a minute), now instant
        counter.feed(chunk)
    assert counter.total() == 1
