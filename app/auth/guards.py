"""Every route is protected unless it says otherwise.

One application-wide guard reads each handler's `opt`:
- `public=True`: no credential (only `/`, `/health`, `/ready`, and the docs if configured);
- `scope="read"|"write"|"admin"`: the scope needed; without it GET/HEAD need `read` and
  anything else needs `write`;
- `stream=True`: also accepts a short-lived `?token=` (EventSource cannot send headers).
A long-lived key is never read from a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.auth.repository import ApiKeyRepository
from app.auth.schemas import SCOPE_RANK, Principal, Scope
from app.auth.service import ApiKeyService
from app.db import acquire
from app.log import SAFE_METHODS
from app.runtime import runtime_of

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="optimizer"'}


@dataclass(frozen=True, slots=True)
class Access:
    public: bool
    scope: Scope
    stream: bool


def access_for(handler: BaseRouteHandler) -> Access:
    """What a handler demands, from its `opt` and its methods."""
    opt = handler.opt
    methods = getattr(handler, "http_methods", SAFE_METHODS)
    default: Scope = "read" if set(methods) <= SAFE_METHODS else "write"
    scope = opt.get("scope", default)
    if scope not in SCOPE_RANK:
        raise ValueError(f"{handler}: unknown scope {scope!r}")
    return Access(public=bool(opt.get("public")), scope=scope, stream=bool(opt.get("stream")))


def _presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    key = connection.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def _authenticate(
    connection: ASGIConnection[Any, Any, Any, Any], access: Access
) -> Principal | None:
    key = _presented_key(connection)
    token = connection.query_params.get("token") if access.stream and key is None else None
    if key is None and token is None:
        raise NotAuthorizedException("Missing API key", headers=_CHALLENGE)
    runtime = runtime_of(connection.app)
    async with acquire(runtime.connections) as conn:
        service = ApiKeyService(ApiKeyRepository(conn, runtime.queries), runtime.signing_secret)
        if key is not None:
            return await service.authenticate(key)
        return await service.authenticate_stream_token(token or "")


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The application-wide guard: authenticate, then check the scope."""
    access = access_for(handler)
    if access.public:
        return
    principal = await _authenticate(connection, access)
    if principal is None:
        raise NotAuthorizedException("Invalid or revoked API key", headers=_CHALLENGE)
    if not principal.allows(access.scope):
        raise PermissionDeniedException(
            f"This API key's scope ({principal.scope}) does not allow this operation "
            f"({access.scope} needed)"
        )
    connection.scope["user"] = principal
