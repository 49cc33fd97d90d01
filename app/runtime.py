"""What the running application holds, as one typed object.

The lifespan opens the pool, the storage and the vendor clients and puts them here; route
providers, guards, job handlers and background loops all read them from this one object
instead of from an untyped state bag.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import asyncpg
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.auth.tokens import SigningSecret
from app.clients import Clients
from app.db import ConnectionSource, acquire
from app.jobs.events import JobEvents
from app.metrics.instruments import Instruments
from app.schedules.schemas import Schedule
from app.settings import Settings
from app.sql import SqlQueries
from app.storage import Storage

if TYPE_CHECKING:  # the kinds' handlers take a Runtime: a cycle at run time
    from app.jobs.kinds import JobKind

L = TypeVar("L")
S = TypeVar("S")


class Loop(Protocol):
    """A background loop: `run()` until `stop()` is called (DESIGN rule 11)."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(slots=True)
class Loops:
    """The background loops this process started, for the routes that report on them."""

    running: list[Loop] = field(default_factory=list)

    def find(self, kind: type[L]) -> L | None:
        """The running loop of this class, or None when it is switched off."""
        return next((loop for loop in self.running if isinstance(loop, kind)), None)


class Runtime:
    """A plain class, not a dataclass: route dependencies pass through Litestar's signature
    model, which would otherwise inspect (and try to convert) every field."""

    __slots__ = (
        "_shared",
        "clients",
        "connections",
        "job_events",
        "job_kinds",
        "loops",
        "metrics",
        "queries",
        "schedules",
        "settings",
        "signing_secret",
        "storage",
    )

    def __init__(
        self,
        *,
        settings: Settings,
        queries: SqlQueries,
        connections: ConnectionSource,
        storage: Storage,
        clients: Clients,
        signing_secret: SigningSecret,
        job_events: JobEvents,
        job_kinds: Mapping[str, JobKind] | None = None,
        schedules: tuple[Schedule, ...] = (),
        metrics: Instruments | None = None,
    ) -> None:
        self.settings = settings
        self.queries = queries
        self.connections = connections
        self.storage = storage
        self.clients = clients
        self.signing_secret = signing_secret
        self.job_events = job_events
        # What the domains declared, resolved for these settings.
        self.job_kinds: Mapping[str, JobKind] = job_kinds or {}
        self.schedules = schedules
        self.loops = Loops()
        # This application's Prometheus registry and the instruments in it.
        self.metrics = metrics or Instruments()
        self._shared: dict[type[Any], Any] = {}

    def shared(self, kind: type[S], make: Callable[[], S]) -> S:
        """The one `kind` object this application keeps (made by `make` on first use), for
        state a domain shares between requests, such as a cache."""
        found = self._shared.get(kind)
        if not isinstance(found, kind):
            found = self._shared[kind] = make()
        return found


def runtime_of(app: Litestar) -> Runtime:
    """The application's runtime; only valid while its lifespan runs."""
    return cast("Runtime", app.state.runtime)


def provide_runtime(state: State) -> Runtime:
    """The `runtime` dependency of every route."""
    return cast("Runtime", state.runtime)


def install(state: State, runtime: Runtime) -> None:
    """Makes `runtime` the one the routes see."""
    state.runtime = runtime


async def provide_connection(
    runtime: NamedDependency[Runtime],
) -> AsyncIterator[asyncpg.Connection]:
    """The `db_connection` dependency: one connection per request, back to the pool when
    the handler is done (before a streamed body is sent)."""
    async with acquire(runtime.connections) as conn:
        yield conn
