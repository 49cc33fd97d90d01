"""The live-events domain: Voluum click events from SQS, and the consumer's status."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from litestar.openapi.spec import Tag

from app.aws import aws_client
from app.domain import Domain
from app.encryption.crypto import PhoneCipher
from app.live_events.consumer import LiveEventConsumer
from app.live_events.controller import LiveEventController
from app.live_events.repository import LiveEventRepository
from app.runtime import Loop, Runtime


@contextlib.asynccontextmanager
async def consumer(runtime: Runtime) -> AsyncIterator[Loop | None]:
    """The SQS consumer, with its one client, when SQS_QUEUE_URL is set."""
    settings = runtime.settings
    aws = settings.aws
    if not aws.sqs_queue_url:
        yield None
        return
    async with aws_client("sqs", aws, endpoint_url=aws.sqs_endpoint_url) as client:
        cipher = PhoneCipher(settings.encryption.key_bytes()) if settings.encryption else None
        yield LiveEventConsumer(
            client=client,
            queue_url=aws.sqs_queue_url,
            connections=runtime.connections,
            sql=runtime.queries,
            cipher=cipher,
            default_region=settings.phones.default_region,
            wait_seconds=aws.sqs_wait_seconds,
            visibility_timeout=aws.sqs_visibility_timeout,
        )


DOMAIN = Domain(
    name="live_events",
    tag=Tag(name="live_events", description="Voluum live click events from SQS."),
    routes=(LiveEventController,),
    repositories=(LiveEventRepository,),
    loops=(consumer,),
)
