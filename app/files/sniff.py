"""What an uploaded file is, told from its first bytes, and its bytes made UTF-8.

Uploads arrive as UTF-8 (with or without a BOM), UTF-16 (spreadsheet exports) or
Latin-1 (older Windows tools). They are stored as UTF-8 without a BOM, so every reader
(polars reads only UTF-8) decodes them one way; the original encoding is recorded.
A file that is not text is refused before anything is stored.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from app.errors import BadRequestError

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
# Control characters that never appear in a CSV (tab, CR and LF do).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINE = re.compile(rb"(?m)^[ \t\r]*\n")


class NotTextError(BadRequestError):
    detail = "The file is not a text (CSV) file"


class EmptyFileError(BadRequestError):
    detail = "CSV file is empty"


@dataclass(frozen=True, slots=True)
class Sniffed:
    encoding: str  # utf-8, utf-8-sig, utf-16 or latin-1
    delimiter: str


def sniff(head: bytes) -> Sniffed:
    """The encoding and delimiter of a file, from its first bytes."""
    if not head.strip():
        raise EmptyFileError
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _BINARY.search(head):
        raise NotTextError
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "latin-1"
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if _BINARY.search(text.encode("utf-8", "replace")):
        raise NotTextError
    return Sniffed(encoding=encoding, delimiter=_delimiter(text))


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut short
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","  # one column, or too little to tell: comma, as the old service read it


async def to_utf8(chunks: AsyncIterable[bytes], encoding: str) -> AsyncIterator[bytes]:
    """Re-encodes a stream as UTF-8 without a BOM, chunk by chunk."""
    if encoding == "utf-8":
        async for chunk in chunks:
            yield chunk
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    async for chunk in chunks:
        if text := decoder.decode(chunk):
            yield text.encode("utf-8")
    if tail := decoder.decode(b"", final=True):
        yield tail.encode("utf-8")


class LineCounter:
    """Counts the non-blank lines of a stream as it passes (a header counts, as before)."""

    def __init__(self) -> None:
        self.lines = 0
        self._carry = b""  # the unfinished last line of the chunks seen so far

    def feed(self, chunk: bytes) -> bytes:
        window = self._carry + chunk
        cut = window.rfind(b"\n") + 1
        complete, self._carry = window[:cut], window[cut:]
        self.lines += complete.count(b"\n") - len(_BLANK_LINE.findall(complete))
        return chunk

    def total(self) -> int:
        return self.lines + (1 if self._carry.strip() else 0)
