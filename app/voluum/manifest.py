"""The Voluum domain: traffic reports into the lists, conversions into their table and
Ongage, the OS-version rules, and the schedules that keep them fresh."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.clients.ongage import OngageClient
from app.clients.voluum import VoluumClient
from app.domain import Domain
from app.voluum.controller import VoluumController, VoluumSyncController
from app.voluum.jobs import JOB_KINDS, schedules
from app.voluum.repository import VoluumRepository

DOMAIN = Domain(
    name="voluum",
    tag=Tag(
        name="voluum",
        description="Voluum syncs: traffic reports into the lists, conversions into Ongage.",
    ),
    routes=(VoluumSyncController, VoluumController),
    repositories=(VoluumRepository,),
    jobs=JOB_KINDS,
    schedules=schedules,
    clients=(VoluumClient, OngageClient),
)
