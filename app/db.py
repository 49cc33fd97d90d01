"""The asyncpg pool, the per-request connection, and the base every repository builds on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar

import asyncpg
import msgspec

from app.errors import (
    DATABASE_UNAVAILABLE,
    AppError,
    BadRequestError,
    ConflictError,
    ServiceUnavailableError,
)
from app.settings import DatabaseSettings
from app.sql import Query, SqlQueries

T = TypeVar("T")


# A request waits this long for a free connection before answering 503.
ACQUIRE_TIMEOUT_SECONDS = 10.0


class ConnectionSource(Protocol):
    """Where connections come from: the pool in production, one connection in tests."""

    def acquire(
        self, *, timeout: float | None = None
    ) -> contextlib.AbstractAsyncContextManager[asyncpg.Connection]: ...


async def init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns come and go as Python values, encoded by msgspec.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        schema="pg_catalog",
    )


async def keep_session(_conn: asyncpg.Connection) -> None:
    """What the pool does to a connection coming back: nothing beyond asyncpg's own
    rollback of a transaction left open.

    asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` on every release: a round trip for each connection a request borrows
    (the guard's and the handler's), a fifth of the server's time under load. None of
    it has anything to undo here: no SQL file sets a session variable, listens, takes
    an advisory lock or holds a cursor past its transaction (tests/core/test_pool_reset.py
    checks each), and LISTEN has a connection of its own (app/jobs/events.py). Temporary
    staging tables stay either way: RESET ALL never dropped them.
    """


async def create_pool(settings: DatabaseSettings) -> asyncpg.Pool:
    if settings.url is None:
        raise RuntimeError("no database URL: the CLI resolves one before the app starts")
    return await asyncpg.create_pool(
        dsn=settings.url.reveal(),
        min_size=settings.pool_min,
        max_size=settings.pool_max,
        command_timeout=settings.command_timeout,
        init=init_connection,
        reset=keep_session,
    )


@contextlib.asynccontextmanager
async def acquire(source: ConnectionSource) -> AsyncIterator[asyncpg.Connection]:
    """A connection, or a 503 when the database cannot be reached."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            conn = await stack.enter_async_context(source.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS))
        except (OSError, TimeoutError, asyncpg.CannotConnectNowError) as exc:
            raise ServiceUnavailableError(DATABASE_UNAVAILABLE) from exc
        yield conn


def required_queries(repositories: Iterable[type[Repository]]) -> set[tuple[str, str]]:
    """Every (domain, name) the given repositories declare."""
    return {(r.domain, name) for r in repositories for name in r.queries}


class Repository:
    """The only place SQL runs. Subclasses name their domain and the queries they use.

    Declaring the queries lets start-up fail when a file is missing, instead of the
    first request that needs it (see `required_queries`).
    """

    domain: ClassVar[str]
    queries: ClassVar[tuple[str, ...]]
    # Constraint name -> the domain error a violation of it means.
    constraint_errors: ClassVar[Mapping[str, Callable[[], AppError]]] = {}

    def __init__(self, conn: asyncpg.Connection, sql: SqlQueries) -> None:
        self.conn = conn
        self.sql = sql

    def transaction(self) -> Any:
        """A transaction on this repository's connection (a savepoint inside another)."""
        return self.conn.transaction()

    def _query(self, name: str) -> Query:
        if name not in self.queries:
            raise LookupError(f"{type(self).__name__} does not declare query {name!r}")
        return self.sql.get(self.domain, name)

    async def _fetch_one(self, query_name: str, into: type[T], /, **params: Any) -> T | None:
        query = self._query(query_name)
        async with self._translated(query):
            record = await self.conn.fetchrow(query.sql, *query.args(params))
        return None if record is None else msgspec.convert(dict(record), into)

    async def _fetch_all(self, query_name: str, into: type[T], /, **params: Any) -> list[T]:
        query = self._query(query_name)
        async with self._translated(query):
            records = await self.conn.fetch(query.sql, *query.args(params))
        return msgspec.convert([dict(r) for r in records], list[into])  # type: ignore[valid-type]

    async def _fetch_value(self, query_name: str, /, **params: Any) -> Any:
        query = self._query(query_name)
        async with self._translated(query):
            return await self.conn.fetchval(query.sql, *query.args(params))

    async def _execute(self, query_name: str, /, **params: Any) -> str:
        query = self._query(query_name)
        async with self._translated(query):
            return await self.conn.execute(query.sql, *query.args(params))

    async def _copy_out(self, query_name: str, output: Any, /, **params: Any) -> int:
        """COPY a query's rows, as CSV without a header, to `output` (a path or a file);
        how many rows."""
        query = self._query(query_name)
        status = await self.conn.copy_from_query(
            query.sql, *query.args(params), output=output, format="csv"
        )
        return int(status.split()[-1])

    async def _copy_in(self, table: str, source: Any, /) -> None:
        """COPY CSV rows from `source` into a staging table this repository created."""
        await self.conn.copy_to_table(table, source=source, format="csv")

    @contextlib.asynccontextmanager
    async def _translated(self, query: Query) -> AsyncIterator[None]:
        """Constraint violations become errors with a status, never a 500.

        Unique and foreign-key violations are conflicts (409), named by the repository's
        `constraint_errors` when it expects them; a check violation is bad input (400).
        Inside a caller's transaction a write runs in a savepoint, so that such an answer
        does not also abort the rest of the caller's transaction.
        """
        guard: contextlib.AbstractAsyncContextManager[Any] = contextlib.nullcontext()
        if query.writes and self.conn.is_in_transaction():
            guard = self.conn.transaction()
        try:
            async with guard:
                yield
        except (asyncpg.UniqueViolationError, asyncpg.ForeignKeyViolationError) as exc:
            factory = self.constraint_errors.get(exc.constraint_name or "")
            if factory is not None:
                raise factory() from exc
            raise ConflictError("Conflicts with existing data") from exc
        except (asyncpg.CheckViolationError, asyncpg.NotNullViolationError) as exc:
            raise BadRequestError("A value is out of range or missing") from exc
