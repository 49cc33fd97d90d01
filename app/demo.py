"""`optimizer demo-data`: synthetic lists and a messy CSV, to try cleaning at once.

Every number is in 07700 900000 to 900999, the UK range reserved for drama, so nothing
here can reach a real phone. A demo number goes on its list (source DEMO) only where no
list has it yet: an operator's decision always stands, and running it twice changes
nothing.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import asyncpg
import polars as pl

from app.phones.repository import PhoneRepository
from app.sql import SqlQueries

# Slices of the drama range, by what the demo makes of them.
_LISTS = {"blacklist": range(0, 200), "monitor": range(200, 300), "whitelist": range(300, 500)}
_SEEN = range(500, 600)
_STYLES = (
    lambda n: f"+44 7700 {n[6:]}",
    lambda n: f"0044{n[2:]}",
    lambda n: f"07700 {n[6:]}",
    lambda n: f"{n[0]}.{n[1:]}e+11",
    lambda n: n,
    lambda n: f"+44 (0)7700-{n[6:9]}.{n[9:]}",
)
_NAMES = ("Ann", "Bob", "Zoë", "Åsa", "O'Neil", '=HYPERLINK("x")', "Dan")


def _phone(index: int) -> str:
    return f"447700900{index:03d}"


async def load_demo(
    conn: asyncpg.Connection, sql: SqlQueries, out: Path, rows: int
) -> dict[str, int]:
    """Writes the demo lists and the sample file; returns what each list received."""
    phones = PhoneRepository(conn, sql)
    added: dict[str, int] = {}
    async with phones.transaction():
        for target, numbers in _LISTS.items():
            added[target] = await phones.add_demo_entries(
                [_phone(i) for i in numbers], list_name=target, reason="demo data", source="DEMO"
            )
        with tempfile.TemporaryDirectory(prefix="optimizer-demo-") as folder:
            seen = Path(folder) / "seen.csv"
            pl.DataFrame({"phone": [int(_phone(i)) for i in _SEEN]}).write_csv(
                seen, include_header=False
            )
            added["main_database"] = await phones.record_seen(seen)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_sample(out, rows)
    return added


def _write_sample(out: Path, rows: int) -> None:
    """A file like the ones operators receive: mixed formats, repeats, junk, a BOM, CRLF."""
    pick = random.Random(7)  # noqa: S311 - demo data, not secrets
    lines = ["phone,name,campaign"]
    for _ in range(rows):
        roll = pick.random()
        if roll < 0.04:
            phone = pick.choice(["{{phone}}", "", "n/a", "12345", "+0 000 000"])
        else:
            phone = pick.choice(_STYLES)(_phone(pick.randrange(1000)))
        name = pick.choice(_NAMES).replace('"', '""')
        lines.append(f'"{phone}","{name}",spring')
    out.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
