"""The cleaning domain: uploads cleaned against the lists."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.cleaning.controller import CLEANING, CleaningController
from app.cleaning.jobs import CLEANING_JOB
from app.cleaning.repository import CleaningRepository
from app.domain import Domain
from app.files.controller import lifecycle_routes

DOMAIN = Domain(
    name="cleaning",
    tag=Tag(name="cleaning", description="Upload CSV lists and clean them against the lists."),
    routes=(*lifecycle_routes(CLEANING), CleaningController),
    repositories=(CleaningRepository,),
    jobs=(CLEANING_JOB.kind(),),
)
