"""Request hygiene around the whole application: body-size limits and security headers."""

from __future__ import annotations

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.log import current_request_id

# Responses carry phone numbers and list decisions: no caching, no framing, no sniffing.
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# The interactive docs load their scripts and styles from a CDN.
_DOCS_PREFIX = "/schema"


class SecurityHeadersMiddleware:
    """Adds the security headers to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _SECURITY_HEADERS
        if not scope["path"].startswith(_DOCS_PREFIX):
            extra = (*extra, _API_CSP)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}  # type: ignore[typeddict-item]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses an oversized body with 413 before a byte of it is read or stored.

    Uploads (multipart) may be up to `max_upload_bytes`, anything else `max_json_bytes`.
    This reads the declared Content-Length; a chunked body is cut off by Litestar's own
    `request_max_body_size` (set to the upload limit) as it streams.
    """

    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            declared = headers.get(b"content-length", b"").decode("latin-1")
            is_upload = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
            limit = self.max_upload_bytes if is_upload else self.max_json_bytes
            if declared.isdigit() and int(declared) > limit:
                await _too_large(send, limit, is_upload)
                return
        await self.app(scope, receive, send)


async def _too_large(send: Send, limit: int, is_upload: bool) -> None:
    what = "upload" if is_upload else "request body"
    body = msgspec.json.encode(
        {
            "detail": f"The {what} is larger than the limit of {limit} bytes",
            "code": "payload_too_large",
            "request_id": current_request_id(),
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The unread body cannot be skipped reliably; the connection ends here.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
