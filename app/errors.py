"""One error base that carries its HTTP status, and the one handler for every error.

Every error leaves the service as `{"detail": str, "code": str, "request_id": str}`,
plus `errors` for validation problems. `detail` keeps the old service's strings, which
the frontend shows.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from app.log import current_request_id

log = logging.getLogger(__name__)


class AppError(Exception):
    """An expected failure with its HTTP status; domain errors subclass it."""

    status_code: int = HTTP_500_INTERNAL_SERVER_ERROR
    code: str = "internal_error"
    detail: str = "Internal Server Error"

    def __init__(self, detail: str | None = None) -> None:
        if detail is not None:
            self.detail = detail
        super().__init__(self.detail)


class BadRequestError(AppError):
    status_code = 400
    code = "bad_request"
    detail = "Bad request"


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"
    detail = "Not found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"
    detail = "Conflict"


class IntegrationDisabledError(AppError):
    """An integration whose settings are missing or broken: 503, naming what to set."""

    status_code = 503
    code = "integration_disabled"

    def __init__(self, integration: str, variables: str) -> None:
        super().__init__(f"{integration} is not configured: set {variables}")


DATABASE_UNAVAILABLE = "Database unavailable"


class ServiceUnavailableError(AppError):
    status_code = 503
    code = "unavailable"
    detail = "Service unavailable"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
}


def _body(detail: str, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "code": code, "request_id": current_request_id()}
    if extra:
        body.update(extra)
    return body


def app_error_handler(_: Request[Any, Any, Any], exc: AppError) -> Response[dict[str, Any]]:
    return Response(_body(exc.detail, exc.code), status_code=exc.status_code)


def _readable(error: Any) -> Any:
    """Litestar names a missing body by the KeyError it raised (`'data'`): say what it is."""
    if (
        isinstance(error, dict)
        and error.get("source") == "body"
        and error.get("message") == repr(error.get("key"))
    ):
        return {**error, "message": "A JSON request body is required"}
    return error


def http_exception_handler(
    _: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    extra = None
    if isinstance(exc, ValidationException):
        extra = {"errors": [_readable(e) for e in exc.extra] if isinstance(exc.extra, list) else []}
        code = "validation_error"
    else:
        code = _HTTP_CODES.get(exc.status_code, "error")
    return Response(
        _body(exc.detail, code, extra), status_code=exc.status_code, headers=exc.headers
    )


# The database went away under a request (a restart, a failover, a cut connection): the
# request is not at fault and may be retried, so this is a 503 like an unreachable
# database, not a 500. Includes what asyncpg raises when it gives a connection that died
# mid-query back to its pool.
DATABASE_GONE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    ConnectionError,
)


def database_gone_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.warning(
        "database_connection_lost",
        extra={"method": request.method, "path": request.url.path, "error": type(exc).__name__},
    )
    return Response(_body(DATABASE_UNAVAILABLE, ServiceUnavailableError.code), status_code=503)


# Text PostgreSQL cannot hold (a NUL character; one the server's encoding lacks) came in a
# request: the request's fault, a 400 however deep in a statement it surfaced.
UNSTORABLE_TEXT: tuple[type[Exception], ...] = (
    asyncpg.UntranslatableCharacterError,
    asyncpg.CharacterNotInRepertoireError,
)


def unstorable_text_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.info(
        "unstorable_text_refused",
        extra={"method": request.method, "path": request.url.path, "error": type(exc).__name__},
    )
    detail = "The request holds text that cannot be stored (a NUL or other invalid character)"
    return Response(_body(detail, BadRequestError.code), status_code=400)


def unexpected_error_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    # The traceback goes to the log; the client gets nothing it could learn internals from.
    where = {"method": request.method, "path": request.url.path}
    if isinstance(exc, asyncpg.PostgresError):
        # PostgreSQL's message and DETAIL quote the failing row (phone numbers, key
        # hashes): log what identifies the failure, and where in our code it came from.
        log.error(
            "unhandled_database_error",
            extra={
                **where,
                "sqlstate": exc.sqlstate,
                "error": type(exc).__name__,
                "constraint": getattr(exc, "constraint_name", None),
                "table": getattr(exc, "table_name", None),
                "at": "".join(traceback.format_tb(exc.__traceback__)[-3:]),
            },
        )
    else:
        log.error("unhandled_error", exc_info=exc, extra=where)
    return Response(
        _body("Internal Server Error", "internal_error"),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


exception_handlers = {
    AppError: app_error_handler,
    HTTPException: http_exception_handler,
    **dict.fromkeys(DATABASE_GONE, database_gone_handler),
    **dict.fromkeys(UNSTORABLE_TEXT, unstorable_text_handler),
    Exception: unexpected_error_handler,
}
