"""The test harness: one real PostgreSQL per session, each test in a rolled-back transaction.

The database is the embedded one (pgserver, in a temporary folder) unless DATABASE_URL
names another. AWS services are a local moto server reached over HTTP by aiobotocore.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar import Litestar
from moto.server import ThreadedMotoServer

from app.auth.repository import ApiKeyRepository
from app.auth.schemas import Scope
from app.auth.service import ApiKeyService
from app.auth.tokens import SigningSecret
from app.clients import Clients
from app.db import ConnectionSource, create_pool
from app.embedded import embedded_postgres
from app.jobs.events import JobEvents
from app.main import create_app, load_queries
from app.migrations import apply_migrations
from app.runtime import Runtime
from app.settings import JobSettings, Settings, load_settings
from app.sql import SQL_DIR, SqlQueries
from app.storage import LocalStorage, Storage


def pytest_configure(config: pytest.Config) -> None:
    """Each session gets its own temporary root, unless one is given (--basetemp).

    pytest's shared root, /tmp/pytest-of-<user>, is made private again (chmod go-rwx) by
    every session that starts. Run as root, pgserver starts PostgreSQL as its own user
    and opens the way to its data folder (chmod o+rx on every parent): a second test
    session starting meanwhile closed it again, and the first one's embedded PostgreSQL
    failed with "Permission denied" (/work/flaky/pgstart-first.txt).
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="optimizer-tests-")
        config.stash[_OWN_BASETEMP] = config.option.basetemp


def pytest_unconfigure(config: pytest.Config) -> None:
    own = config.stash.get(_OWN_BASETEMP, None)
    if own is not None:
        shutil.rmtree(own, ignore_errors=True)


_OWN_BASETEMP = pytest.StashKey[str]()


class SingleConnection:
    """A connection source that always hands out the test's own connection.

    Every request of a test then runs inside the test's transaction, which is rolled back
    at teardown; the services' own transactions become savepoints inside it.
    """

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @contextlib.asynccontextmanager
    async def acquire(
        self,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - the pool's signature, unused here
    ) -> AsyncIterator[asyncpg.Connection]:
        yield self._conn


def make_runtime(
    connections: ConnectionSource,
    sql: SqlQueries,
    settings: Settings | JobSettings | None = None,
    *,
    storage: Storage | None = None,
) -> Runtime:
    """A runtime for code run outside an app (a worker, a stream): real connections and
    SQL, local storage, no vendor clients. JobSettings alone stand for the defaults
    around them."""
    if not isinstance(settings, Settings):
        settings = Settings(jobs=settings or JobSettings())
    return Runtime(
        settings=settings,
        queries=sql,
        connections=connections,
        storage=storage or LocalStorage(settings.storage.upload_root),
        clients=Clients(),
        signing_secret=SigningSecret(),
        job_events=JobEvents(),
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the whole session."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        apply_migrations(configured)
        yield configured
        return
    with embedded_postgres(tmp_path_factory.mktemp("postgres")) as url:
        apply_migrations(url)
        yield url


def make_settings(database_url: str, **env: str) -> Settings:
    """Settings from an explicit environment: tests never read the developer's `.env`.

    The worker and the scheduler are off unless a test switches them on: they need
    connections of their own, not the test's single one.
    """
    defaults = {"WORKERS_ENABLED": "false", "SCHEDULER_ENABLED": "false"}
    return load_settings({**defaults, "DATABASE_URL": database_url, **env})


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, UPLOAD_ROOT=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture(scope="session")
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(settings.database)
    yield pool
    await pool.close()


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
async def committed(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """The real pool, for tests whose work spans connections: their rows are committed,
    so the job tables are emptied afterwards instead of rolled back."""
    yield pool
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM schedule_runs")
        await conn.execute("DELETE FROM jobs")


@pytest.fixture(scope="session")
def sql() -> SqlQueries:
    return load_queries()


@pytest.fixture
def app(settings: Settings, conn: asyncpg.Connection) -> Litestar:
    return create_app(settings, connections=SingleConnection(conn))


@contextlib.asynccontextmanager
async def serve_in_loop(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, in the test's own event loop.

    Litestar's AsyncTestClient runs the app on a portal thread with a loop of its own,
    where the test's connection cannot be used; httpx's ASGI transport does not.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        # Entered and left in one task: the lifespan holds anyio cancel scopes, and an
        # async fixture's setup and teardown run in different tasks.
        async with app.lifespan():
            started.set()
            await stop.wait()

    lifespan = asyncio.create_task(run_lifespan(), name="test-app-lifespan")
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({lifespan, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        waiter.cancel()
        lifespan.result()  # start-up failed: raise its error here
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stop.set()
        await lifespan


async def make_key(conn: asyncpg.Connection, settings: Settings, scope: Scope) -> str:
    """A real key, created through the service inside the test's transaction."""
    sql = SqlQueries.load(SQL_DIR)
    service = ApiKeyService(ApiKeyRepository(conn, sql))
    return (await service.create(f"test-{scope}-{uuid.uuid4().hex[:8]}", scope)).key


@pytest.fixture
async def keys(conn: asyncpg.Connection, settings: Settings) -> dict[Scope, str]:
    return {scope: await make_key(conn, settings, scope) for scope in ("read", "write", "admin")}


@pytest.fixture
async def anonymous(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sends no credential."""
    async with serve_in_loop(app) as client:
        yield client


@pytest.fixture
async def client(
    anonymous: httpx.AsyncClient, keys: dict[Scope, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that acts with an admin key unless a test sends another."""
    anonymous.headers["X-API-Key"] = keys["admin"]
    yield anonymous
    del anonymous.headers["X-API-Key"]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A local AWS (S3, SQS) on a free port, for aiobotocore clients with endpoint_url."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


# What an end-to-end test commits, emptied afterwards.
_TABLES = (
    "csv_processing_stats",
    "files",
    "schedule_runs",
    "jobs",
    "phone_lists",
    "main_database",
    "api_voluum_conversions",
    "api_voluum_ts_sources",
    "api_keys",
)


@pytest.fixture
def live_env() -> dict[str, str]:
    """Extra settings for `live`; a test module overrides this fixture to add some."""
    return {}


@contextlib.asynccontextmanager
async def running_service(
    pool: asyncpg.Pool,
    database_url: str,
    upload_root: Path,
    env: dict[str, str],
    serve: Callable[[Litestar], contextlib.AbstractAsyncContextManager[httpx.AsyncClient]],
) -> AsyncIterator[httpx.AsyncClient]:
    """The whole service as it runs: its own pool, worker and storage; a client with an
    admin key. `serve` says how it is reached (in the loop, or over TCP). Everything it
    commits is deleted afterwards."""
    async with pool.acquire() as conn:
        created = await ApiKeyService(ApiKeyRepository(conn, load_queries())).create("e2e", "admin")
    settings = make_settings(
        database_url,
        WORKERS_ENABLED="true",
        UPLOAD_ROOT=str(upload_root),
        JOB_POLL_SECONDS="1",
        **env,
    )
    try:
        async with serve(create_app(settings)) as client:
            client.headers["X-API-Key"] = created.key
            yield client
    finally:
        async with pool.acquire() as conn:
            for table in _TABLES:
                await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


@pytest.fixture
async def live(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, live_env: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """The whole service as it runs (see `running_service`), reached in the test's loop."""
    async with running_service(pool, database_url, tmp_path, live_env, serve_in_loop) as client:
        yield client
