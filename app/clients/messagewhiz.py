"""MessageWhiz (MMD) API v3 (external-apis.md §2): the broadcast list with its embedded
stats, and the tracked links that tie a broadcast to its Voluum campaign.

Every call carries the `apikey` header. Lists page by `limit`/`start` and carry no total:
a page shorter than `limit` is the last. Every answer is wrapped in an envelope whose
`errorCode` is not 0 when the call failed, whatever the HTTP status said.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Self, TypeVar
from urllib.parse import urlsplit

import httpx
import msgspec

from app.clients.base import ClientPolicy, UpstreamError, VendorClient
from app.settings import Settings

# No published limit; the old service kept 10 requests in flight, a quarter second apart.
MESSAGEWHIZ_POLICY = ClientPolicy(max_in_flight=10, rate_per_second=10.0, read_timeout=60.0)
PAGE_SIZE = 100
# Paging stops here whatever the answers say: 20,000 broadcasts is weeks of sending.
MAX_PAGES = 200

T = TypeVar("T")

_LINK = re.compile(r"\{\{link:(\d+)\}\}")


class MessageWhizError(UpstreamError):
    """MessageWhiz answered with a non-zero `errorCode` (or an unusable answer)."""

    def __init__(
        self, detail: str, *, error_code: int | None = None, upstream_status: int | None = None
    ) -> None:
        super().__init__("messagewhiz", detail, upstream_status=upstream_status)
        self.error_code = error_code


class MessageWhizAuthError(MessageWhizError):
    """The API key was refused (401/403): a configuration problem, not a passing one."""


class Dlr(msgspec.Struct):
    sent_count: int = 0
    delivered_count: int = 0
    undelivered_count: int = 0
    rejected_count: int = 0


class BroadcastConversion(msgspec.Struct):
    uniqueClicks: int = 0
    totalClicks: int = 0
    # A percentage as a string ("0.97").
    conversion: str | float | None = None


class Broadcast(msgspec.Struct):
    """One broadcast as `/Broadcast/List` has it; only the fields the service reads."""

    id: int
    name: str = ""
    message_body: str | None = None
    send_date: str | None = None
    state: int | None = None
    real_price: float | None = None
    estimated_price: float | None = None
    recipient_count: int | None = None
    dlr: Dlr | None = None
    broadcastConversion: BroadcastConversion | None = None

    def sent_at(self) -> datetime | None:
        """`send_date` as a UTC instant; None when missing or unreadable."""
        if not self.send_date:
            return None
        try:
            moment = datetime.fromisoformat(self.send_date)
        except ValueError:
            return None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def link_id(self) -> int | None:
        """The id in the first `{{link:ID}}` of the message; None without one."""
        found = _LINK.search(self.message_body or "")
        return int(found.group(1)) if found else None


class Link(msgspec.Struct):
    id: int
    url: str | None = None


class _Envelope(msgspec.Struct):
    errorCode: int | str | None = 0
    errorMessage: str | None = ""
    errorType: str | None = ""
    # Raw: decoded into the caller's type once the error code says there is a result.
    result: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"null"))


def campaign_of(url: str | None) -> str | None:
    """The Voluum campaign id of a tracker URL (`https://trk.example.com/<uuid>?…`): its
    first path segment when that is a UUID, else None. (The old service split on "m/",
    which breaks on domains that contain it.)"""
    if not url:
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return None
    try:
        return str(uuid.UUID(segments[0]))
    except ValueError:
        return None


class MessageWhizClient(VendorClient):
    vendor = "messagewhiz"
    settings_hint = "MMD_API_KEY"
    policy = MESSAGEWHIZ_POLICY

    def __init__(
        self, *, base_url: str, api_key: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(
            base_url=base_url,
            secrets=(api_key,),
            headers={"apikey": api_key, "Accept": "application/json"},
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        if settings.messagewhiz is None:
            return None
        return cls(
            base_url=settings.messagewhiz.base_url,
            api_key=settings.messagewhiz.api_key.reveal(),
        )

    async def broadcasts_on(self, day: date) -> list[Broadcast]:
        """The broadcasts sent (or due) on `day` (UTC), in the list's order (newest first).

        The list has no date filter: pages are read until a short page, or until a page
        ends with a broadcast from before `day` (the list is newest first, so the rest
        is older). Dates are compared as dates, not as substrings of `send_date`."""
        found: list[Broadcast] = []
        async for page in self._pages("/Broadcast/List", Broadcast):
            found += [b for b in page if (sent := b.sent_at()) is not None and sent.date() == day]
            last = page[-1].sent_at() if page else None
            if last is not None and last.date() < day:
                break
        return found

    async def links(self) -> dict[int, str]:
        """Every tracked link: id -> URL without its query string."""
        urls: dict[int, str] = {}
        async for page in self._pages("/Link", Link):
            for link in page:
                if link.url:
                    urls[link.id] = link.url.split("?", 1)[0]
        return urls

    async def _pages(self, path: str, item: type[T]) -> AsyncIterator[list[T]]:
        for page_number in range(MAX_PAGES):
            params = {"limit": PAGE_SIZE, "start": page_number * PAGE_SIZE}
            page = await self._result(path, params, list[item])  # type: ignore[valid-type]
            yield page
            if len(page) < PAGE_SIZE:
                return

    async def _result(self, path: str, params: dict[str, int], into: type[T]) -> T:
        response = await self.request("GET", path, params=params, expected=(401, 403))
        envelope = self.decode(response, _Envelope)
        code = envelope.errorCode
        if response.status_code in (401, 403):
            raise MessageWhizAuthError(
                f"messagewhiz refused the API key on GET {path} ({response.status_code})",
                error_code=_as_int(code),
                upstream_status=response.status_code,
            )
        if code not in (0, "0", None, ""):
            # errorMessage is the vendor's text about our request: no secret in it.
            message = envelope.errorMessage or envelope.errorType or "error"
            raise MessageWhizError(
                f"messagewhiz answered error {code} to GET {path}: {message}"[:300],
                error_code=_as_int(code),
                upstream_status=response.status_code,
            )
        if bytes(envelope.result) in (b"", b"null"):
            return msgspec.json.decode(b"[]", type=into)
        try:
            return msgspec.json.decode(envelope.result, type=into)
        except msgspec.DecodeError as exc:
            raise MessageWhizError(
                f"messagewhiz sent an unreadable result to GET {path}",
                upstream_status=response.status_code,
            ) from exc


def _as_int(code: int | str | None) -> int | None:
    try:
        return int(code) if code is not None else None
    except ValueError:
        return None
