"""Migration 0012 on a database with the old service's conversions: its history stays
out of Ongage (only what the old service pushed counts as pushed)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from app.migrations import MIGRATIONS_DIR, apply_migrations


@pytest.fixture
async def legacy_url(database_url: str) -> AsyncIterator[str]:
    """A database of its own, migrated as the old service left it (up to 0011)."""
    name = f"legacy_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlsplit(database_url)._replace(path=f"/{name}").geturl()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_old_conversions_not_processed_are_skipped_as_legacy(
    legacy_url: str, tmp_path: Path
) -> None:
    before = tmp_path / "before-0012"
    before.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name < "0012":
            shutil.copy(path, before / path.name)
    await asyncio.to_thread(apply_migrations, legacy_url, before)

    conn = await asyncpg.connect(legacy_url)
    try:
        # What the old service left: a pushed GB conversion, a valid one of another
        # country, an invalid phone with a placeholder email, and a push it gave up on.
        await conn.execute(
            "INSERT INTO api_voluum_conversions"
            " (click_id, conversion_type, country_code, custom_variable_1, generated_email,"
            "  processed, retry_count, error_message)"
            " VALUES ('pushed', 'FTD', 'GB', '447400100001', '+447400100001@yourmobile.com',"
            "         true, 0, NULL),"
            "        ('german', 'FTD', 'DE', '4915123456701', '+4915123456701@yourmobile.com',"
            "         false, 0, NULL),"
            "        ('placeholder', 'REG', 'GB', '{{phoneNumber}}', '', false, 0,"
            "         'INVALID_PHONE_NUMBER'),"
            "        ('gave-up', 'REG', 'GB', '447400100002', '+447400100002@yourmobile.com',"
            "         false, 3, 'ONGAGE_INSERTION_FAILED')"
        )
        await asyncio.to_thread(apply_migrations, legacy_url)
        rows = await conn.fetch(
            "SELECT click_id, push_status, push_reason, processed FROM api_voluum_conversions"
        )
        assert {r["click_id"]: tuple(r)[1:] for r in rows} == {
            "pushed": ("pushed", None, True),
            "german": ("skipped", "legacy", False),
            "placeholder": ("skipped", "legacy", False),
            "gave-up": ("skipped", "legacy", False),
        }
        # Rows arriving after the migration start pending, as the sync decides.
        default = await conn.fetchval(
            "SELECT column_default FROM information_schema.columns"
            " WHERE table_name = 'api_voluum_conversions' AND column_name = 'push_status'"
        )
        assert default.startswith("'pending'")
    finally:
        await conn.close()
