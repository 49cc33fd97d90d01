"""HLR Lookup (hlrlookup.com): the batch API for large sets, the synchronous v2 API for
small ones (external-apis.md §3).

Credentials travel in the query string (batch) or the JSON body (v2); the base masks
them in every log line and error, and nothing here keeps a URL. Every call that may
charge (create, upload, start, a v2 lookup) is `idempotent=False`: retried only on a 429
(refused, not charged) or when the connection never opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import quote

import msgspec

from app.clients.base import ClientPolicy, UpstreamError, VendorClient
from app.settings import Settings

# At most this many numbers in one v2 request; more is a BAD_REQUEST.
V2_MAX_NUMBERS = 80
COMPLETE = frozenset({"COMPLETE", "COMPLETED"})
FAILED = frozenset({"FAILED", "ERROR"})
# A batch in one of these has had its source and its start: never start it again.
UNDER_WAY = frozenset({"PROCESSING", *COMPLETE, *FAILED})
# What batches and lookups ask of the provider's own cache (days, 0-30).
PROVIDER_CACHE_DAYS = 30


class HlrBatch(msgspec.Struct, rename="camel"):
    """A batch as the API shows it; only the fields the service reads."""

    id: str | int
    status: str = ""
    num_items: int | None = None
    num_complete: int | None = None

    @property
    def batch_id(self) -> str:
        return str(self.id)


class NetworkDetails(msgspec.Struct):
    name: str | None = None
    mccmnc: str | int | None = None
    country_name: str | None = None
    country_iso3: str | None = None
    area: str | None = None
    country_prefix: str | int | None = None


class RequestParameters(msgspec.Struct):
    telephone_number: str | int | None = None
    cache_days_private: str | int | None = None
    cache_days_global: str | int | None = None
    save_to_cache: str | None = None
    output_format: str | None = None


class LookupResult(msgspec.Struct):
    """One number's answer from the v2 API."""

    error: str = "NONE"
    request_parameters: RequestParameters = msgspec.field(default_factory=RequestParameters)
    credits_spent: int | float | None = None
    detected_telephone_number: str | None = None
    formatted_telephone_number: str | None = None
    telephone_number_type: str | None = None
    live_status: str | None = None
    original_network: str | None = None
    original_network_details: NetworkDetails = msgspec.field(default_factory=NetworkDetails)
    current_network: str | None = None
    current_network_details: NetworkDetails = msgspec.field(default_factory=NetworkDetails)
    is_ported: str | None = None
    timestamp: str | None = None

    def flattened(self, number: str) -> dict[str, str]:
        """The row the batch results CSV would hold for it: dotted names, `input` first."""
        row: dict[str, str] = {"input": number}
        for name, value in msgspec.structs.asdict(self).items():
            if isinstance(value, msgspec.Struct):
                for inner, leaf in msgspec.structs.asdict(value).items():
                    row[f"{name}.{inner}"] = _text(leaf)
            else:
                row[name] = _text(value)
        return row


class _Results(msgspec.Struct):
    results: list[LookupResult]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class HlrClient(VendorClient):
    vendor = "hlr"
    settings_hint = "HLRLOOKUP_APIKEY and HLRLOOKUP_SECRET"
    # Result downloads can be large (the old service allowed 300 s).
    policy = ClientPolicy(read_timeout=300.0, max_in_flight=4)

    def __init__(
        self, *, api_key: str, secret: str, batch_base_url: str, api_base_url: str
    ) -> None:
        super().__init__(base_url=batch_base_url, secrets=(api_key, secret))
        self._api_key = api_key
        self._secret = secret
        self._lookup_url = f"{api_base_url.rstrip('/')}/hlr"

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        hlr = settings.hlr
        if hlr is None:
            return None
        return cls(
            api_key=hlr.api_key.reveal(),
            secret=hlr.secret.reveal(),
            batch_base_url=hlr.batch_base_url,
            api_base_url=hlr.api_base_url,
        )

    def _auth(self) -> dict[str, str]:
        return {"apikey": self._api_key, "secret": self._secret}

    async def create_batch(self, *, filename: str) -> str:
        """A new HLR_V2 batch (not started, so not charged); its id."""
        body = {
            "filename": filename,
            "type": "HLR_V2",
            "batchArguments": {
                "cache_days_private": PROVIDER_CACHE_DAYS,
                "cache_days_global": PROVIDER_CACHE_DAYS,
                "save_to_cache": "YES",
            },
        }
        response = await self.request(
            "POST", "/batches/", params=self._auth(), json=body, idempotent=False
        )
        batch = self.decode(response, HlrBatch)
        # The old service stored the string "None" here and polled it for hours.
        if not batch.batch_id.strip():
            raise UpstreamError(self.vendor, "hlr created a batch without an id")
        return batch.batch_id

    async def upload_source(self, *, batch_id: str, numbers_csv: bytes) -> None:
        """The numbers of the batch, one a line (twice would look each up twice)."""
        await self.request(
            "POST",
            f"/batches/{_segment(batch_id)}/source",
            params=self._auth(),
            content=numbers_csv,
            headers={"Content-Type": "text/csv"},
            idempotent=False,
        )

    async def start_batch(self, *, batch_id: str) -> None:
        """Starts the batch: from here on it is charged."""
        await self.request(
            "PUT",
            f"/batches/{_segment(batch_id)}/",
            params=self._auth(),
            json={"status": "PROCESSING"},
            idempotent=False,
        )

    async def get_batch(self, *, batch_id: str) -> HlrBatch:
        response = await self.request("GET", f"/batches/{_segment(batch_id)}", params=self._auth())
        return self.decode(response, HlrBatch)

    async def batch_results(self, *, batch_id: str) -> bytes:
        """The results CSV as it came: dotted headers, the input value first."""
        response = await self.request(
            "GET", f"/batches/{_segment(batch_id)}/results", params=self._auth()
        )
        return response.content

    async def lookup(self, *, numbers: Sequence[str]) -> list[LookupResult]:
        """One v2 request for at most V2_MAX_NUMBERS numbers; answers in their order."""
        if not 0 < len(numbers) <= V2_MAX_NUMBERS:
            raise ValueError(f"a v2 lookup takes 1 to {V2_MAX_NUMBERS} numbers")
        body = {
            "api_key": self._api_key,
            "api_secret": self._secret,
            "requests": [
                {
                    "telephone_number": number,
                    "cache_days_private": PROVIDER_CACHE_DAYS,
                    "cache_days_global": PROVIDER_CACHE_DAYS,
                    "save_to_cache": "YES",
                }
                for number in numbers
            ],
        }
        response = await self.request("POST", self._lookup_url, json=body, idempotent=False)
        results = self.decode(response, _Results).results
        if len(results) != len(numbers):
            raise UpstreamError(
                self.vendor,
                f"hlr answered {len(results)} results for {len(numbers)} numbers",
                upstream_status=response.status_code,
            )
        return results


def _segment(batch_id: str) -> str:
    """A batch id as one path segment, whatever the vendor put in it."""
    return quote(batch_id, safe="")
