"""The smart-cleaning domain: clickers less what converted, on the shared file lifecycle."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.files.controller import lifecycle_routes
from app.smart_cleaning.controller import (
    LIST_ROUTE,
    SMART_CLEANING,
    TAG,
    SmartCleaningController,
)
from app.smart_cleaning.jobs import SMART_CLEANING_JOB
from app.smart_cleaning.repository import SmartCleaningRepository

DOMAIN = Domain(
    name="smart_cleaning",
    tag=Tag(
        name=TAG,
        description="Clickers (whitelist numbers of a country, or an upload) less the "
        "numbers that deposited on chosen offers.",
    ),
    routes=(*lifecycle_routes(SMART_CLEANING), LIST_ROUTE, SmartCleaningController),
    repositories=(SmartCleaningRepository,),
    jobs=(SMART_CLEANING_JOB.kind(),),
)
