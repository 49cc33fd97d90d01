"""Request hygiene around the whole application: body-size limits and security headers."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import (
    ASGIApp,
    HTTPDisconnectEvent,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from app.log import SAFE_METHODS, current_request_id

# Responses carry phone numbers and list decisions: no caching, no framing, no sniffing.
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# The docs pages run Swagger UI, served by this service itself (app/docs.py): scripts,
# styles and the document from here only (its page bootstraps with an inline script).
_DOCS_CSP = (
    b"content-security-policy",
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
)
_DOCS_PREFIX = "/schema"


class SecurityHeadersMiddleware:
    """Adds the security headers to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(_DOCS_PREFIX)
        extra = (*_SECURITY_HEADERS, _DOCS_CSP if docs else _API_CSP)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses an oversized body with 413, counting the bytes actually received.

    Uploads (multipart) may be up to `max_upload_bytes`, anything else `max_json_bytes`.
    A declared Content-Length over the limit is refused before a byte is read; a chunked
    or understated body is cut off as soon as it passes the limit: the application sees
    the request end, and its answer is replaced by the 413. Which handlers take which
    media type is checked by `media_type_guard`, so claiming "multipart" does not buy a
    JSON route the upload limit.
    """

    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        is_upload = _is_multipart(headers.get(b"content-type", b""))
        limit = self.max_upload_bytes if is_upload else self.max_json_bytes
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, is_upload)
            return
        received = 0
        exceeded = False

        async def counting_receive() -> ReceiveMessage:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    disconnect: HTTPDisconnectEvent = {"type": "http.disconnect"}
                    return disconnect
            return message

        async def replacing_send(message: Message) -> None:
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await _too_large(send, limit, is_upload)

        await self.app(scope, counting_receive, replacing_send)


class GuardedRequest(Request[Any, Any, Any]):
    """The application's request class: a JSON body nested deeper than the decoder can
    follow (`[[[[…]]]]`, within the size limit) is bad input, not a server error."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError as exc:
            raise ClientException("The JSON body is nested too deeply") from exc


def _is_multipart(content_type: bytes) -> bool:
    return content_type.lower().startswith(b"multipart/form-data")


async def media_type_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Upload handlers (`opt={"upload": True}`) take multipart; no other handler does."""
    if connection.scope.get("method") in SAFE_METHODS:
        return
    is_upload = _is_multipart(connection.headers.get("content-type", "").encode("latin-1"))
    if is_upload != bool(handler.opt.get("upload")):
        expected = "multipart/form-data" if handler.opt.get("upload") else "application/json"
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"This route takes {expected}",
        )


async def one_value_per_query_parameter(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """No route takes a query parameter twice: `?status=bogus&status=` would otherwise be
    read as its last value only, and the refused one would pass unseen."""
    names = [name for name, _ in connection.query_params.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        shown = ", ".join(name[:40] for name in repeated[:5])
        raise ClientException(f"A query parameter is given more than once: {shown}")


async def _too_large(send: Send, limit: int, is_upload: bool) -> None:
    what = "upload" if is_upload else "request body"
    body = msgspec.json.encode(
        {
            "detail": f"The {what} is larger than the limit of {limit} bytes",
            "code": "payload_too_large",
            "request_id": current_request_id(),
        }
    )
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            # The rest of the body is not read; the connection ends here.
            (b"connection", b"close"),
        ],
    }
    await send(start)
    done: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(done)
