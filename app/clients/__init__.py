"""The vendor clients the application opened, held by class for the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypeVar

from app.clients.base import CallRecorder, VendorClient
from app.errors import IntegrationDisabledError
from app.settings import Settings

C = TypeVar("C", bound=VendorClient)


class Clients:
    """The opened clients by class; asking for an unconfigured one answers 503."""

    def __init__(self, clients: Iterable[VendorClient] = ()) -> None:
        self._by_kind: dict[type[VendorClient], VendorClient] = {type(c): c for c in clients}

    def get(self, kind: type[C]) -> C:
        """The open client of `kind`; IntegrationDisabledError when it is not configured."""
        client = self._by_kind.get(kind)
        if not isinstance(client, kind):
            raise IntegrationDisabledError(kind.vendor, kind.settings_hint)
        return client


@asynccontextmanager
async def open_clients(
    settings: Settings,
    kinds: Sequence[type[VendorClient]],
    recorder: CallRecorder | None = None,
) -> AsyncIterator[Clients]:
    """Opens a client of each kind whose integration is configured, each reporting its
    calls to `recorder`; on the way out closes every one, and only then raises a close
    that failed."""
    async with AsyncExitStack() as stack:
        opened: list[VendorClient] = []
        for kind in kinds:
            client = kind.from_settings(settings)
            if client is not None:
                stack.push_async_callback(client.aclose)
                if recorder is not None:
                    client.record_calls(recorder)
                opened.append(client)
        yield Clients(opened)
