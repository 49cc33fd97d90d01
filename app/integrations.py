"""Routes of an integration answer 503 while its settings are missing (SPEC: a missing
secret disables only its integration)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from app.errors import IntegrationDisabledError
from app.runtime import runtime_of


def requires(integration: str, variables: str) -> Guard:
    """A guard: `settings.<integration>` must be configured."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if getattr(runtime_of(connection.app).settings, integration) is None:
            raise IntegrationDisabledError(integration, variables)

    return guard
