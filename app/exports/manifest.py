"""The exports domain: allow-listed tables as CSV, as jobs (admin scope)."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.exports.controller import ExportController
from app.exports.repository import ExportRepository
from app.exports.service import EXPORT_JOB

DOMAIN = Domain(
    name="exports",
    tag=Tag(name="exports", description="Whole tables as CSV (admin scope)."),
    routes=(ExportController,),
    repositories=(ExportRepository,),
    jobs=(EXPORT_JOB.kind(),),
)
