"""Stored objects that no file points at: found, and removed on request, never the young."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg

from app.files.orphans import find_orphans, remove_orphans
from app.files.repository import FileRepository
from app.main import load_queries
from app.storage import LocalStorage

OPTIMIZER = str(Path(sys.executable).with_name("optimizer"))


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


async def _stored(storage: LocalStorage, key: str, *, hours_old: float) -> None:
    source = storage.root / "in.tmp"
    source.write_text("447400100001\n")
    await storage.put_file(key, source)
    source.unlink()
    _age(storage.root / key, hours_old)


async def test_only_old_objects_of_no_file_are_orphans(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    storage = LocalStorage(tmp_path)
    files = FileRepository(conn, load_queries())
    owned = uuid.uuid4()
    await files.insert(
        id=owned,
        kind="cleaning",
        original_filename="kept.csv",
        raw_key=f"raw/cleaning/{owned}.csv",
        size_bytes=13,
        record_count_total=1,
        encoding="utf-8",
        delimiter=",",
    )
    await _stored(storage, f"raw/cleaning/{owned}.csv", hours_old=5)
    await _stored(storage, "processed/cleaning/gone.csv", hours_old=3)
    await _stored(storage, "raw/cleaning/uploading.csv", hours_old=0)  # a row may follow
    partial = storage.root / "raw/cleaning/.x.csv.0a1b.partial"
    partial.write_text("4477")
    _age(partial, 2)

    orphans = await find_orphans(storage, files)
    assert [o.key for o in orphans] == [
        "processed/cleaning/gone.csv",
        "raw/cleaning/.x.csv.0a1b.partial",
    ]
    await remove_orphans(storage, orphans)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == [f"raw/cleaning/{owned}.csv", "raw/cleaning/uploading.csv"]


def test_the_command_lists_then_removes(database_url: str, tmp_path: Path) -> None:
    orphan = tmp_path / "processed/cleaning/left-behind.csv"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("447400100001\n")
    _age(orphan, 2)
    env = {**os.environ, "DATABASE_URL": database_url, "UPLOAD_ROOT": str(tmp_path)}
    listed = subprocess.run(
        [OPTIMIZER, "storage", "orphans"], env=env, capture_output=True, text=True, check=True
    )
    assert "processed/cleaning/left-behind.csv" in listed.stdout
    assert "1 stored object(s) that no file points at found" in listed.stdout
    assert orphan.exists()
    removed = subprocess.run(
        [OPTIMIZER, "storage", "orphans", "--delete"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "1 stored object(s) that no file points at removed" in removed.stdout
    assert not orphan.exists()
