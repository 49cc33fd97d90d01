"""The encryption domain: phone tokens for links, on the shared file lifecycle."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.encryption.controller import ENCRYPTION, EncryptionController
from app.encryption.jobs import ENCRYPTION_JOB
from app.files.controller import lifecycle_routes

DOMAIN = Domain(
    name="encryption",
    tag=Tag(name="encryption", description="Phone tokens for links (AES-256-GCM)."),
    routes=(*lifecycle_routes(ENCRYPTION), EncryptionController),
    jobs=(ENCRYPTION_JOB.kind(),),
)
