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
_BINARY_TEXT = re.compile(_BINARY.pattern.decode())
_BLANK_LINE = re.compile(rb"(?m)^[ \t\r]*\n")


class NotTextError(BadRequestError):
    detail = "The file is not a text (CSV) file"


class EmptyFileError(BadRequestError):
    detail = "CSV file is empty"


class NotCsvError(BadRequestError):
    detail = "Only CSV files are supported"


def check_csv_name(filename: str | None) -> None:
    """The old upload routes took `.csv` files only, by name."""
    if not (filename or "").lower().endswith(".csv"):
        raise NotCsvError


class MixedEncodingError(BadRequestError):
    detail = "The file is not valid UTF-8"


@dataclass(frozen=True, slots=True)
class Sniffed:
    encoding: str  # utf-8, utf-8-sig, utf-16(-le/-be) or latin-1
    delimiter: str


def sniff(head: bytes) -> Sniffed:
    """The encoding and delimiter of a file, from its first bytes."""
    encoding = _encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if not text.strip():
        raise EmptyFileError
    ensure_text(text)
    return Sniffed(encoding=encoding, delimiter=_delimiter(text))


def ensure_text(text: str) -> None:
    """Refuses text with control characters no CSV holds (PostgreSQL refuses NUL too)."""
    if _BINARY_TEXT.search(text):
        raise NotTextError


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM: text whose every other byte is zero.
    if len(head) >= 4 and head[1::2].count(0) > 0.9 * (len(head) // 2):
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > 0.9 * (len(head) // 2):
        return "utf-16-be"
    if _BINARY.search(head):
        raise NotTextError
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut short
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","  # one column, or too little to tell: comma, as the old service read it


async def to_utf8(chunks: AsyncIterable[bytes], encoding: str) -> AsyncIterator[bytes]:
    """Re-encodes a stream as UTF-8 without a BOM, checking every chunk, not only the head:
    a file that turns binary, or stops being valid UTF-8, further down is refused."""
    strict = encoding == "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict" if strict else "replace")
    position = 0

    def decode(data: bytes, *, final: bool = False) -> str:
        # Bytes held back from the previous chunk (half a character) come first in the
        # decoder's view of `data`.
        held = len(decoder.getstate()[0])
        try:
            return decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            raise MixedEncodingError(
                f"The file is not valid UTF-8 at byte {position - held + exc.start}: "
                "save it in one encoding"
            ) from exc

    async for chunk in chunks:
        text = decode(chunk)
        encoded = chunk if strict else text.encode("utf-8")
        position += len(chunk)
        if _BINARY.search(encoded):
            raise NotTextError
        if encoded:
            yield encoded
    if tail := decode(b"", final=True):
        yield tail.encode("utf-8")


class LineEndings:
    """Makes every line end in `\n`: `\r\n` (Windows) and a lone `\r` (classic Mac, some
    exporters) alike. Readers downstream (polars, the csv module) split on `\n` only, and
    a CR-only file would otherwise be one long line: its rows silently lost.

    Streaming: a chunk's trailing `\r` is held back until the next chunk shows whether a
    `\n` follows it.
    """

    def __init__(self) -> None:
        self._held_cr = False

    def feed(self, chunk: bytes) -> bytes:
        if self._held_cr:
            chunk = b"\r" + chunk
        self._held_cr = chunk.endswith(b"\r")
        if self._held_cr:
            chunk = chunk[:-1]
        return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    def flush(self) -> bytes:
        held, self._held_cr = self._held_cr, False
        return b"\n" if held else b""


class LineCounter:
    """Counts the non-blank lines of a stream as it passes (a header counts, as before).

    Linear in the input whatever the line lengths: only whether the unfinished line has
    content is carried from chunk to chunk, never the line itself.
    """

    def __init__(self) -> None:
        self.lines = 0
        self._open_line_has_content = False

    def feed(self, chunk: bytes) -> bytes:
        first = chunk.find(b"\n")
        if first < 0:
            self._open_line_has_content |= bool(chunk.strip())
            return chunk
        last = chunk.rfind(b"\n")
        if self._open_line_has_content or chunk[:first].strip():
            self.lines += 1
        middle = chunk[first + 1 : last + 1]
        self.lines += middle.count(b"\n") - len(_BLANK_LINE.findall(middle))
        self._open_line_has_content = bool(chunk[last + 1 :].strip())
        return chunk

    def total(self) -> int:
        return self.lines + (1 if self._open_line_has_content else 0)
