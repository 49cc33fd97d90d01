"""Counts and times every request by its route template.

Application middleware runs once the router has matched a route, so the label is the
template Litestar matched (`/jobs/{job_id:uuid}`), never the path a client sent: no phone
number, id or scanner's guess becomes a series. Requests that match no route (404, 405)
and bodies refused before routing (413) are not counted here; the access log has them.
"""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.runtime import runtime_of


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server sends when nothing else was

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            runtime_of(scope["litestar_app"]).metrics.observe_request(
                scope["method"],
                scope.get("path_template") or "",
                status,
                time.perf_counter() - started,
            )
