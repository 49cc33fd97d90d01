"""Voluum's API (external-apis.md §1): an access-key session, paged reports read by key
name, campaign totals, entity names and the manual cost update.

Every call carries `cwauth-token`. The session is cached until its `expirationTimestamp`
minus a margin; a 401 re-authenticates once, and concurrent callers that saw the same
stale token share that one re-authentication. Windows are rounded to the hour, because
Voluum answers 400 to anything else.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Literal, Self, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from app.clients.base import ClientPolicy, Primitive, UpstreamError, VendorClient
from app.settings import Settings, VoluumSettings

# Voluum allows 15 requests per second (doc.voluum.com); reports can be slow to build.
VOLUUM_POLICY = ClientPolicy(rate_per_second=15.0, max_in_flight=10, read_timeout=120.0)

# A session is renewed this long before Voluum says it expires: a call started just
# before the expiry must not arrive with a dead token.
TOKEN_MARGIN = timedelta(minutes=5)
# When Voluum sends no readable expiry: the 4 h that public clients assume, less a margin.
FALLBACK_TTL = timedelta(hours=3, minutes=30)

_AUTH_PATH = "/auth/access/session"
_NO_VISITS = "NO_VISITS_PERIOD"

EntityKind = Literal["offer", "campaign"]
# Voluum's ids are UUIDs; anything much longer is no id.
_MAX_ENTITY_ID = 200


def floor_hour(moment: datetime) -> datetime:
    """`moment` in UTC, cut to its hour (a naive value is read as UTC)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    floor = floor_hour(moment)
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return floor if floor == utc else floor + timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Window:
    """A report window `[start, end)` in UTC, on whole hours (start down, end up)."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime, end: datetime) -> Self:
        window = cls(floor_hour(start), ceil_hour(end))
        if window.end <= window.start:
            raise ValueError("a window must end after it starts")
        return window

    def params(self) -> list[tuple[str, Primitive]]:
        return [("from", _iso(self.start)), ("to", _iso(self.end))]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:00:00Z")


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What one report asks for. `filters` are entity filters (`filter1=traffic-source`,
    `filter1Value=<id>`); `columns` are sent as repeated `column=` keys."""

    window: Window
    group_by: Sequence[str] = ()
    columns: Sequence[str] = ()
    filters: Sequence[tuple[str, str]] = ()
    tz: str = "Etc/GMT"
    currency: str | None = None
    include: str | None = None
    conversion_time_mode: str | None = None
    page_size: int = 10_000

    def params(self, offset: int) -> list[tuple[str, Primitive]]:
        params: list[tuple[str, Primitive]] = [*self.window.params(), ("tz", self.tz)]
        params += [("groupBy", group) for group in self.group_by]
        params += [("column", column) for column in self.columns]
        for n, (entity, value) in enumerate(self.filters, start=1):
            params += [(f"filter{n}", entity), (f"filter{n}Value", value)]
        optional = {
            "currency": self.currency,
            "include": self.include,
            "conversionTimeMode": self.conversion_time_mode,
        }
        params += [(key, value) for key, value in optional.items() if value is not None]
        params += [("limit", self.page_size), ("offset", offset)]
        return params


class ReportPage(msgspec.Struct):
    """One page of `/report` or `/report/conversions`: rows are read by key name."""

    rows: list[dict[str, Any]] = msgspec.field(default_factory=list)
    totalRows: int | None = None
    totals: dict[str, Any] | None = None
    truncated: bool = False
    offset: int = 0


class RawReportPage(msgspec.Struct):
    """One page with its rows left as JSON, for a caller that parses them in bulk."""

    rows: list[msgspec.Raw] = msgspec.field(default_factory=list)
    totalRows: int | None = None
    totals: dict[str, Any] | None = None
    truncated: bool = False
    offset: int = 0

    def rows_json(self) -> bytes:
        """The rows as one JSON array."""
        return b"[" + b",".join(bytes(row) for row in self.rows) + b"]"


Page = TypeVar("Page", ReportPage, RawReportPage)


class _Session(msgspec.Struct):
    token: str
    expirationTimestamp: str | None = None


class _Error(msgspec.Struct):
    code: str | None = None
    description: str | None = None


class _ErrorEnvelope(msgspec.Struct):
    error: _Error | None = None


class _Entity(msgspec.Struct):
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    renew_at: datetime


class VoluumClient(VendorClient):
    vendor = "voluum"
    settings_hint = "VOLUUM_ACCESS_ID and VOLUUM_ACCESS_KEY"
    policy = VOLUUM_POLICY

    def __init__(
        self,
        *,
        base_url: str,
        access_id: str,
        access_key: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(
            base_url=base_url,
            secrets=(access_key,),
            headers={"Accept": "application/json"},
            transport=transport,
        )
        self._access_id = access_id
        self._access_key = access_key
        self._clock = clock
        self._token: _Token | None = None
        self._auth_lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        voluum: VoluumSettings | None = settings.voluum
        if voluum is None:
            return None
        return cls(
            base_url=voluum.base_url,
            access_id=voluum.access_id,
            access_key=voluum.access_key.reveal(),
        )

    # --- reports -------------------------------------------------------------------

    async def report(self, query: ReportQuery) -> AsyncIterator[ReportPage]:
        """The pages of `GET /report` for `query`."""
        async for page in self._pages("/report", query, ReportPage):
            yield page

    async def conversions(self, query: ReportQuery) -> AsyncIterator[ReportPage]:
        """The pages of `GET /report/conversions` (one row per conversion)."""
        async for page in self._pages("/report/conversions", query, ReportPage):
            yield page

    async def report_json(self, query: ReportQuery) -> AsyncIterator[RawReportPage]:
        """The pages of `GET /report`, rows left as JSON (for parsing a page at once)."""
        async for page in self._pages("/report", query, RawReportPage):
            yield page

    async def conversions_json(self, query: ReportQuery) -> AsyncIterator[RawReportPage]:
        """The pages of `GET /report/conversions`, rows left as JSON."""
        async for page in self._pages("/report/conversions", query, RawReportPage):
            yield page

    async def campaign_totals(
        self, campaign_id: str, window: Window, *, tz: str = "Etc/GMT", currency: str | None = None
    ) -> dict[str, Any] | None:
        """The report `totals` of one campaign over `window` (visits, uniqueVisits,
        conversions, customConversionsN, ...); None when Voluum sends no totals."""
        query = ReportQuery(
            window=window,
            group_by=("campaign",),
            filters=(("campaign", campaign_id),),
            tz=tz,
            currency=currency,
            page_size=1,
        )
        page = await self._page("/report", query, 0, ReportPage)
        return page.totals

    async def _pages(self, path: str, query: ReportQuery, into: type[Page]) -> AsyncIterator[Page]:
        """Pages until a short page or `offset >= totalRows`, whichever comes first: a
        total that moves while we read can neither loop us forever nor cut us short."""
        offset = 0
        while True:
            page = await self._page(path, query, offset, into)
            yield page
            offset += query.page_size
            if len(page.rows) < query.page_size:
                return
            if page.totalRows is not None and offset >= page.totalRows:
                return

    async def _page(self, path: str, query: ReportQuery, offset: int, into: type[Page]) -> Page:
        response = await self._call("GET", path, params=query.params(offset), expected=(417,))
        if response.status_code == 417:
            self._no_visits(response, f"GET {path}")
            return into(totalRows=0)  # no visits in the window: nothing there
        return self.decode(response, into)

    # --- entities and costs --------------------------------------------------------

    async def entity_name(self, kind: EntityKind, entity_id: str) -> str | None:
        """The name of one offer or campaign; None when Voluum does not know the id.

        The id (from SQS data, not ours) is one path segment, percent-encoded: it cannot
        reach another path. Raises ValueError for an id that is no segment at all."""
        if entity_id in ("", ".", "..") or len(entity_id) > _MAX_ENTITY_ID:
            raise ValueError(f"not a Voluum {kind} id")
        segment = quote(entity_id, safe="")
        response = await self._call("GET", f"/{kind}/{segment}", expected=(404,))
        if response.status_code == 404:
            return None
        return self.decode(response, _Entity).name

    async def update_cost(
        self,
        campaign_id: str,
        window: Window,
        cost: float,
        *,
        currency: str,
        tz: str = "Etc/GMT",
    ) -> int:
        """Sets a campaign's cost over `window` (`POST /report/manual-cost`); answers the
        HTTP status. A 417 `NO_VISITS_PERIOD` (no visits to put the cost on) is returned
        as 417, not raised: there was nothing to update. Setting a cost replaces the
        period's cost (it adds nothing), so a retried call does no harm."""
        body = {
            "campaignId": campaign_id,
            "from": _iso(window.start),
            "to": _iso(window.end),
            "timeZone": tz,
            "cost": cost,
            "currency": currency,
        }
        # Never resent after Voluum may have acted on it (a 5xx, a read timeout): the
        # money rule for every call that changes what the operator sees as spent.
        response = await self._call(
            "POST", "/report/manual-cost", json=body, expected=(417,), idempotent=False
        )
        if response.status_code == 417:
            self._no_visits(response, "POST /report/manual-cost")
        return response.status_code

    # --- session -------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, Primitive]] | None = None,
        json: object = None,
        expected: Sequence[int] = (),
        idempotent: bool = True,
    ) -> httpx.Response:
        """One call with the session token; a 401 re-authenticates once and retries (a
        401 is a call Voluum refused, so even a cost is not set twice by it)."""
        token = await self._session()
        send = partial(self._send, method, path, params=params, json=json, idempotent=idempotent)
        response = await send(token, (*expected, 401))
        if response.status_code != 401:
            return response
        token = await self._session(stale=token)
        return await send(token, expected)

    async def _send(
        self,
        method: str,
        path: str,
        token: str,
        expected: Sequence[int],
        *,
        params: list[tuple[str, Primitive]] | None,
        json: object,
        idempotent: bool,
    ) -> httpx.Response:
        headers = {"cwauth-token": token}
        if json is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return await self.request(
            method,
            path,
            params=params,
            json=json,
            headers=headers,
            expected=expected,
            idempotent=idempotent,
        )

    async def _session(self, *, stale: str | None = None) -> str:
        """The cached token, or a new one. `stale` is a token Voluum refused: whoever
        renews first does it for everyone who held that same token."""
        async with self._auth_lock:
            current = self._token
            if current is not None and current.value != stale and self._clock() < current.renew_at:
                return current.value
            response = await self.request(
                "POST",
                _AUTH_PATH,
                json={"accessId": self._access_id, "accessKey": self._access_key},
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            session = self.decode(response, _Session)
            self._token = _Token(session.token, self._renew_at(session.expirationTimestamp))
            return session.token

    def _renew_at(self, expiration: str | None) -> datetime:
        now = self._clock()
        if expiration:
            try:
                expires = datetime.fromisoformat(expiration)
            except ValueError:
                expires = None
            if expires is not None:
                if expires.tzinfo is None:
                    expires = expires.replace(tzinfo=UTC)
                return expires - TOKEN_MARGIN
        return now + FALLBACK_TTL

    def _no_visits(self, response: httpx.Response, call: str) -> None:
        """A 417 that is Voluum's NO_VISITS_PERIOD (nothing in the window) passes; any
        other 417 is an error."""
        if self._error_code(response) != _NO_VISITS:
            raise UpstreamError(
                self.vendor, f"{self.vendor} answered 417 to {call}", upstream_status=417
            )

    def _error_code(self, response: httpx.Response) -> str | None:
        try:
            envelope = msgspec.json.decode(response.content, type=_ErrorEnvelope)
        except msgspec.DecodeError:
            return None
        return envelope.error.code if envelope.error is not None else None
