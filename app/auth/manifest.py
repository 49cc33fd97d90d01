"""The auth domain: API-key management and stream tokens (the guard is app-wide)."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.auth.controller import ApiKeyController, issue_stream_token
from app.auth.repository import ApiKeyRepository
from app.domain import Domain

DOMAIN = Domain(
    name="auth",
    tag=Tag(name="auth", description="API keys (admin scope) and stream tokens for browsers."),
    routes=(ApiKeyController, issue_stream_token),
    repositories=(ApiKeyRepository,),
)
