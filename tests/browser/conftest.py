"""Browser tests run when Chromium is installed (`make chromium`), and are skipped, with
that reason, when it is not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.browser.harness import DashboardOrigin, chromium_path, serve_over_tcp
from tests.conftest import running_service

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="Chromium is not installed: run `make chromium`"
)


@pytest.fixture
def dashboard() -> Iterator[DashboardOrigin]:
    with DashboardOrigin().serving() as origin:
        yield origin


@pytest.fixture
def browser_env() -> dict[str, str]:
    """Extra settings for `browser_live`; a test module overrides this to add some."""
    return {}


@pytest.fixture
async def browser_live(
    pool: asyncpg.Pool,
    database_url: str,
    tmp_path: Path,
    dashboard: DashboardOrigin,
    browser_env: dict[str, str],
) -> AsyncIterator[httpx.AsyncClient]:
    """The whole service over TCP, allowing the dashboard's origin (CORS), as a browser
    on another origin reaches it; the client carries an admin key."""
    env = {"CORS_ORIGINS": dashboard.origin, **browser_env}
    async with running_service(pool, database_url, tmp_path, env, serve_over_tcp) as client:
        yield client
