"""`optimizer hlr risky-operators`: an operator's list, loaded from JSON or CSV."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.core.test_cli import _cli, _environment


@pytest.fixture
def emptied(database_url: str) -> Iterator[dict[str, str]]:
    """The CLI's environment; what it committed is deleted afterwards."""
    yield _environment(DATABASE_URL=database_url)

    async def empty() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("DELETE FROM hlr_risky_operators")
        finally:
            await conn.close()

    asyncio.run(empty())


def test_risky_operators_load_from_json_or_csv_and_list(
    tmp_path: Path, emptied: dict[str, str]
) -> None:
    legacy = tmp_path / "risky_operators.json"
    legacy.write_text(json.dumps({"risky_networks": ["lycamobileuk", "Lycamobile UK", "Vectone"]}))
    loaded = _cli("hlr", "risky-operators", "load", str(legacy), env=emptied)
    assert loaded.returncode == 0, loaded.stderr
    assert "replaced: 2 from 3 name(s)" in loaded.stdout
    listed = _cli("hlr", "risky-operators", "list", env=emptied)
    assert listed.stdout.splitlines() == ["lycamobileuk", "Vectone", "2 risky operator(s)"]

    table = tmp_path / "operators.csv"
    table.write_text("name\nTelna Mobile\n")
    assert _cli("hlr", "risky-operators", "load", str(table), env=emptied).returncode == 0
    listed = _cli("hlr", "risky-operators", "list", env=emptied)
    assert listed.stdout.splitlines() == ["Telna Mobile", "1 risky operator(s)"]

    broken = tmp_path / "broken.json"
    broken.write_text("{")
    refused = _cli("hlr", "risky-operators", "load", str(broken), env=emptied)
    assert (refused.returncode, refused.stderr.strip()) == (1, "error: The list is not valid JSON")
