"""A domain's manifest: everything one package brings to the application, in one place.

`create_app` and the background lifespan iterate `app.domains.DOMAINS`; adding a domain
is a new package with a `manifest.py` plus one line there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from litestar.openapi.spec import Tag
from litestar.types import ControllerRouterHandler, Middleware

from app.clients.base import VendorClient
from app.db import Repository
from app.jobs.kinds import JobKind
from app.runtime import Loop, Runtime
from app.schedules.schemas import Schedule
from app.settings import Settings

# Opens a background loop (and whatever it owns, such as an SQS client) for the
# lifespan; yields None when the loop is switched off by settings.
LoopFactory = Callable[[Runtime], AbstractAsyncContextManager[Loop | None]]


def _no_schedules(_settings: Settings) -> Sequence[Schedule]:
    return ()


def _no_routes(_settings: Settings) -> Sequence[ControllerRouterHandler]:
    return ()


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    # The OpenAPI tag its routes carry; None when it shares another domain's tag.
    tag: Tag | None = None
    routes: Sequence[ControllerRouterHandler] = ()
    # Routes whose options depend on settings (a route that a setting makes public).
    configured_routes: Callable[[Settings], Sequence[ControllerRouterHandler]] = _no_routes
    # Application middleware: it runs for every matched route, after routing.
    middleware: Sequence[Middleware] = ()
    # Start-up checks that every query these use has its SQL file.
    repositories: Sequence[type[Repository]] = ()
    jobs: Sequence[JobKind] = ()
    schedules: Callable[[Settings], Sequence[Schedule]] = _no_schedules
    loops: Sequence[LoopFactory] = ()
    clients: Sequence[type[VendorClient]] = ()
    # Work done once per process at start-up, in a thread, before anything is served
    # (compiled lookups that no request or job should pay for).
    warm_up: Sequence[Callable[[], None]] = ()
