"""The background loops every domain declares, owned by the application's lifespan.

Each loop's factory may decline (switched off by settings: it yields None). Started
loops are stopped together at shutdown; past the jobs' grace period and a little more,
one that will not stop is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager

from litestar import Litestar

from app.domain import Domain
from app.runtime import Runtime, runtime_of

log = logging.getLogger(__name__)

# Past the jobs' own grace period, a loop that will not stop is cancelled.
STOP_TIMEOUT_SECONDS = 2.0


@contextlib.asynccontextmanager
async def run_loops(runtime: Runtime, domains: Sequence[Domain]) -> AsyncIterator[None]:
    """Starts every domain's loops; stops them, and closes what they own, on exit."""
    tasks: list[asyncio.Task[None]] = []
    async with contextlib.AsyncExitStack() as owned:
        try:
            for domain in domains:
                for factory in domain.loops:
                    loop = await owned.enter_async_context(factory(runtime))
                    if loop is None:
                        continue
                    runtime.loops.running.append(loop)
                    name = f"{domain.name}.{getattr(factory, '__name__', 'loop')}"
                    tasks.append(asyncio.create_task(loop.run(), name=name))
            yield
        finally:
            await _stop(runtime, tasks)


async def _stop(runtime: Runtime, tasks: list[asyncio.Task[None]]) -> None:
    for loop in runtime.loops.running:
        loop.stop()
    if tasks:
        # The worker's own grace period first, then a little for the others.
        limit = runtime.settings.jobs.shutdown_grace_seconds + STOP_TIMEOUT_SECONDS
        _, stuck = await asyncio.wait(tasks, timeout=limit)
        for task in stuck:
            log.warning("background_task_cancelled", extra={"task": task.get_name()})
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    runtime.loops.running.clear()


def background_lifespan(
    domains: Sequence[Domain],
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """The lifespan step that runs the loops; after the runtime's, so it can use it."""

    def background(app: Litestar) -> AbstractAsyncContextManager[None]:
        return run_loops(runtime_of(app), domains)

    return background
