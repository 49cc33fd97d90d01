"""Conversions into Ongage contacts (legacy §3.5, fixed): each conversion records its own
outcome, and none is pushed twice by two syncs at once.

Rows are claimed (`pushing`, with this run's claim token) in a short transaction, sent
in small batches with no transaction open, and their outcomes recorded in another, only
for the rows this run still holds. Another run takes a claim over only once it is older
than the longest a batch can take through the client's policy (every wait at its cap),
with a wide margin: a push waiting out Ongage's 429 backoff is not re-sent meanwhile.

A batch whose fate Ongage did not tell (a 5xx, a timeout) is `failed` and retried by the
schedule: `overwrite: true` makes the re-sent contacts updates, not duplicates. A 401 or
403 is no contact's fault: the rows go back to `pending` with their tries unchanged and
the sync fails with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from app.clients.base import ClientPolicy, UpstreamError
from app.clients.ongage import (
    MAX_BATCH,
    BatchResult,
    OngageClient,
    OngageContact,
    OngageCredentialsError,
)
from app.db import ConnectionSource, acquire
from app.settings import VoluumSyncSettings
from app.sql import SqlQueries
from app.voluum.repository import PushRow, VoluumRepository

# Claimed per round: enough batches to keep Ongage's 10 concurrent calls busy.
_BATCHES_PER_ROUND = 10
# The longest call, doubled, plus this: the queue behind the client's shared rate limit
# and concurrency cap (the CSV drip uses the same client) is not bounded by the policy.
_CLAIM_SLACK_SECONDS = 900.0


def claim_lifetime(policy: ClientPolicy) -> float:
    """Seconds after which a `pushing` claim counts as abandoned: twice the longest one
    batch can take through `policy` (every attempt to all its timeouts, every wait at its
    cap, a Retry-After included, plus Ongage's 5% jitter), and a slack for the queue."""
    attempt = (
        policy.connect_timeout + policy.write_timeout + policy.read_timeout + policy.pool_timeout
    )
    waits = (policy.max_attempts - 1) * policy.backoff_cap_seconds * 1.05
    return 2 * (policy.max_attempts * attempt + waits) + _CLAIM_SLACK_SECONDS


@dataclass(slots=True)
class PushCounts:
    pushed: int = 0
    failed: int = 0


def contact(row: PushRow) -> OngageContact:
    """The old service's contact fields, from one conversion."""
    ftd = row.conversion_type == "FTD"
    converted = _when(row.postback_timestamp)
    fields = {
        "mobile": row.custom_variable_1,
        "country": row.country_name,
        "ip": row.ip,
        "language": row.language,
        "source": row.source,
        "conversion_type": row.conversion_type,
        "is_ftd": "true" if ftd else "false",
        "click_id": row.click_id,
        "campaign_name": row.campaign_name,
        "campaign_id": row.campaign_id,
        "offer_name": row.offer_name,
        "offer_id": row.offer_id,
        "lander_name": row.lander_name,
        "traffic_source_id": row.traffic_source_id,
        "traffic_source_name": row.traffic_source_name,
        "transaction_id": row.transaction_id,
        "device_type": row.device_name,
        "os": row.os,
        "browser": row.browser,
        "revenue": row.revenue if ftd and row.revenue is not None else "",
        "currency": "",
        "external_id": row.external_id,
        "custom_var_1": row.custom_variable_1,
        "custom_var_2": row.custom_variable_2,
        "custom_var_3": row.custom_variable_3,
        "country_code": row.country_code,
        "conversion_date": converted,
        "registration_date": "" if ftd else converted,
        "ftd_date": converted if ftd else "",
        "visit_timestamp": _when(row.visit_timestamp),
    }
    return OngageContact(email=row.generated_email or "", fields=fields)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class ConversionPush:
    def __init__(
        self,
        *,
        connections: ConnectionSource,
        sql: SqlQueries,
        client: OngageClient,
        settings: VoluumSyncSettings,
    ) -> None:
        self._connections = connections
        self._sql = sql
        self._client = client
        self._batch = min(settings.ongage_batch_size, MAX_BATCH)
        self._max_retries = settings.push_max_retries
        self._countries = settings.ongage_countries

    async def push(self, ids: Sequence[UUID], *, retry: bool) -> PushCounts:
        """Pushes the given new conversions (and, with `retry`, the ones left pending or
        failed before); counts the contacts this call pushed and failed. Raises
        OngageCredentialsError when Ongage refuses our credentials."""
        counts = PushCounts()
        started = datetime.now(UTC)
        claim = uuid4()
        stale = claim_lifetime(self._client.policy)
        wanted = list(ids)
        while True:
            async with acquire(self._connections) as conn:
                rows = await VoluumRepository(conn, self._sql).claim_pushes(
                    wanted,
                    claim=claim,
                    countries=self._countries,
                    retry=retry,
                    max_retries=self._max_retries,
                    started=started,
                    stale_seconds=stale,
                    limit=self._batch * _BATCHES_PER_ROUND,
                )
            if not rows:
                return counts
            # One contact per email in a round: a number that converted twice (a REG and
            # an FTD) is one contact, and its conversions share that contact's outcome.
            same_email: dict[str, list[PushRow]] = {}
            for row in rows:
                same_email.setdefault((row.generated_email or "").lower(), []).append(row)
            leaders = [group[0] for group in same_email.values()]
            batches = [leaders[i : i + self._batch] for i in range(0, len(leaders), self._batch)]
            sent = await asyncio.gather(
                *(self._send(batch) for batch in batches), return_exceptions=True
            )
            followers = {group[0].id: group for group in same_email.values()}
            outcomes = [
                [(row.id, status, reason) for row in followers[leader]]
                for result in sent
                if not isinstance(result, BaseException)
                for leader, status, reason in result
            ]
            # Batches Ongage refused for our credentials go back untouched; any other
            # error leaves its rows claimed (their fate unknown) until the claim is stale.
            released = [
                row.id
                for batch, result in zip(batches, sent, strict=True)
                if isinstance(result, OngageCredentialsError)
                for leader in batch
                for row in followers[leader.id]
            ]
            async with acquire(self._connections) as conn:
                repository = VoluumRepository(conn, self._sql)
                recorded = await repository.record_pushes(
                    claim,
                    [row_id for batch in outcomes for row_id, _, _ in batch],
                    [status for batch in outcomes for _, status, _ in batch],
                    [reason for batch in outcomes for _, _, reason in batch],
                )
                if released:
                    await repository.release_pushes(claim, released)
            # What this run wrote: rows another run took over are that run's to count.
            counts.pushed += sum(r.push_status == "pushed" for r in recorded)
            counts.failed += sum(r.push_status == "failed" for r in recorded)
            errors = [o for o in sent if isinstance(o, BaseException)]
            if errors:
                raise errors[0]

    async def _send(self, rows: list[PushRow]) -> list[tuple[UUID, str, str | None]]:
        """Each row's outcome: pushed, or failed with Ongage's reason (or why it was not
        known)."""
        try:
            result: BatchResult = await self._client.add_contacts(
                self._client.default_list_id, [contact(row) for row in rows]
            )
        except OngageCredentialsError as exc:
            # The sync fails; the contacts wait untouched.
            raise OngageCredentialsError(
                "ongage",
                f"Ongage refused our credentials ({exc.upstream_status}): check "
                f"{OngageClient.settings_hint}; the contacts stay pending",
                upstream_status=exc.upstream_status,
            ) from exc
        except UpstreamError as exc:
            return [(row.id, "failed", str(exc)[:500]) for row in rows]
        except ValueError as exc:
            return [(row.id, "failed", str(exc)[:500]) for row in rows]
        by_email = {o.email.lower(): o for o in result.outcomes}
        out: list[tuple[UUID, str, str | None]] = []
        for row in rows:
            outcome = by_email.get((row.generated_email or "").lower())
            if outcome is None or outcome.status == "failed":
                reason = outcome.detail if outcome is not None else "not in Ongage's answer"
                out.append((row.id, "failed", reason))
            else:
                out.append((row.id, "pushed", outcome.detail))
        return out
