"""Logging: event-style messages, JSON lines in production, a request id on every line.

Nothing here logs a query string, a header or a body: those are where keys, stream
tokens and phone numbers travel.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

_request_id: ContextVar[str] = ContextVar("request_id", default="-")

# A client may pass its own id for tracing, but only a short, plain one.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's ANSI-coloured duplicate of the message
}

access_log = logging.getLogger("app.access")
audit_log = logging.getLogger("app.audit")

# Methods that change nothing: no audit line, no body, `read` scope.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_request_id() -> str:
    return _request_id.get()


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    _encoder = msgspec.json.Encoder()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: _jsonable(v) for k, v in _extras(record).items()})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._encoder.encode(entry).decode()


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal: the event, then key=value pairs."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        pairs = " ".join(f"{k}={_plain(v)}" for k, v in _extras(record).items())
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if pairs:
            line = f"{line} {pairs}"
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            line = f"{line} request_id={request_id}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def _plain(value: Any) -> str:
    """A value for a text line; one with spaces or control characters (a path with an
    encoded newline) is quoted, so that nobody can forge a second line."""
    text = str(value)
    return repr(text) if any(c.isspace() or not c.isprintable() for c in text) else text


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def configure_logging(level: str, fmt: str) -> None:
    """Route every logger (ours, uvicorn's, Litestar's) through one formatted handler."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Step-by-step chatter of libraries we drive; their outcome is logged by us. httpx's
    # INFO line carries each request's full URL, query string and all (HLR's credentials
    # travel there): the vendor clients log a redacted line of their own instead.
    for name in ("pgserver", "yoyo", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's access line includes the query string (stream tokens); ours does not.
    logging.getLogger("uvicorn.access").disabled = True


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and writes one access line.

    Every mutation also gets an audit line: which key (by name, never the key), which
    route and target, and how it ended.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "request_id": request_id,
                },
            )
            if scope["method"] not in SAFE_METHODS:
                _audit(scope, status, request_id)
            _request_id.reset(token)


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "denied"
    return "rejected" if status < 500 else "error"


def _audit(scope: HTTPScope, status: int, request_id: str) -> None:
    # The router fills in the route template, the path parameters and (the auth guard)
    # the principal on this same scope while handling the request.
    principal = scope.get("user")
    params = scope.get("path_params") or {}
    audit_log.info(
        "audit",
        extra={
            "key": getattr(principal, "name", None),
            "method": scope["method"],
            "route": scope.get("path_template") or scope["path"],
            "target": ",".join(str(v) for v in params.values()) or None,
            "status": status,
            "outcome": _outcome(status),
            "request_id": request_id,
        },
    )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _CLIENT_REQUEST_ID.fullmatch(candidate) else None
    return None
