"""The HLR domain: cleaned lists validated by HLR lookups, paid for once per number."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.clients.hlr import HlrClient
from app.domain import Domain
from app.hlr.controller import HlrController, RiskyOperatorController
from app.hlr.jobs import HLR_JOB
from app.hlr.repository import HlrRepository, RiskyOperatorRepository

DOMAIN = Domain(
    name="hlr",
    tag=Tag(name="hlr", description="HLR lookups of cleaned lists, and the risky operators."),
    routes=(HlrController, RiskyOperatorController),
    repositories=(HlrRepository, RiskyOperatorRepository),
    jobs=(HLR_JOB.kind(),),
    clients=(HlrClient,),
)
