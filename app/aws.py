"""AWS clients (S3 for storage, SQS for live events), configured one way."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiobotocore.session import get_session

from app.settings import AwsSettings


@contextlib.asynccontextmanager
async def aws_client(
    service: str, aws: AwsSettings, *, endpoint_url: str | None
) -> AsyncIterator[Any]:
    """An aiobotocore client for `service`, open for as long as the context lasts."""
    async with get_session().create_client(
        service,  # type: ignore[call-overload]  # one helper for several services' clients
        region_name=aws.region,
        endpoint_url=endpoint_url,
        # None falls back to botocore's chain: environment, profile, instance role.
        aws_access_key_id=aws.access_key_id.reveal() if aws.access_key_id else None,
        aws_secret_access_key=aws.secret_access_key.reveal() if aws.secret_access_key else None,
    ) as client:
        yield client
