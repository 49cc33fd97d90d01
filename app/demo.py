"""`optimizer demo-data`: synthetic lists and a messy CSV, to try cleaning at once.

Every number is one reserved for fiction, so nothing here can reach a real phone: the
North American 555-0100 to 555-0199 of nine area codes (libphonenumber calls them fixed
line or mobile) and London's 020 7946 0xxx drama landlines (fixed line: what
`exclude_non_mobile` removes). Ofcom's mobile drama range, 07700 900xxx, is no valid
number by the numbering plan, so the cleaner would refuse every one. A demo number goes
on its list (source DEMO) only where no list has it yet: an operator's decision always
stands, and running it twice changes nothing.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import asyncpg
import polars as pl

from app.phones.repository import PhoneRepository
from app.sql import SqlQueries

# Slices of the 1,000 demo numbers, by what the demo makes of them.
_LISTS = {"blacklist": range(0, 200), "monitor": range(200, 300), "whitelist": range(300, 500)}
_SEEN = range(500, 600)
_AREAS = ("201", "202", "212", "213", "312", "415", "617", "702", "718")
_LANDLINES = 900  # from this index on: London drama landlines
# The ways people write a number (calling code, national significant number); with the
# default region GB, every one reads as the same number.
_STYLES = (
    lambda cc, nsn: f"+{cc} {nsn[:3]} {nsn[3:6]} {nsn[6:]}",
    lambda cc, nsn: f"00{cc}{nsn}",
    lambda cc, nsn: f"{cc}{nsn}",
    lambda cc, nsn: f"{(cc + nsn)[0]}.{(cc + nsn)[1:]}e+{len(cc + nsn) - 1}",
    lambda cc, nsn: f"tel:+{cc}-{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}",
    lambda cc, nsn: (
        f"0{nsn[:2]} {nsn[2:6]} {nsn[6:]}"
        if cc == "44"
        else f"+{cc} ({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}"
    ),
)
_NAMES = ("Ann", "Bob", "Zoë", "Åsa", "O'Neil", '=HYPERLINK("x")', "Dan")


def _parts(index: int) -> tuple[str, str]:
    """Demo number `index` (0-999) as its calling code and national significant number."""
    if index >= _LANDLINES:
        return "44", f"2079460{index:03d}"
    return "1", f"{_AREAS[index // 100]}55501{index % 100:02d}"


def _phone(index: int) -> str:
    return "".join(_parts(index))


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
            phone = pick.choice(_STYLES)(*_parts(pick.randrange(1000)))
        name = pick.choice(_NAMES).replace('"', '""')
        lines.append(f'"{phone}","{name}",spring')
    out.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
