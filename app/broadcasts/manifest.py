"""The broadcasts domain: MessageWhiz broadcasts against their Voluum results, live on the
dashboard, saved daily, and their SMS cost pushed to Voluum."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.broadcasts.controller import (
    BroadcastDailyController,
    BroadcastHistoryController,
    BroadcastStreamController,
)
from app.broadcasts.jobs import JOB_KINDS, schedules
from app.broadcasts.repository import BroadcastRepository
from app.clients.messagewhiz import MessageWhizClient
from app.clients.voluum import VoluumClient
from app.domain import Domain

DOMAIN = Domain(
    name="broadcasts",
    tag=Tag(
        name="broadcasts",
        description="MessageWhiz broadcasts: the live dashboard, the daily history and the "
        "SMS cost pushed to Voluum.",
    ),
    routes=(BroadcastStreamController, BroadcastDailyController, BroadcastHistoryController),
    repositories=(BroadcastRepository,),
    jobs=JOB_KINDS,
    schedules=schedules,
    clients=(MessageWhizClient, VoluumClient),
)
