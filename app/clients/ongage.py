"""The Ongage client: contacts added or updated on a list, one small batch per call
(external-apis.md §4), each contact with its own outcome.

Shared by the conversion push (Voluum) and the CSV drip. Both send synthetic emails that
reach a person, so a batch is sent with `idempotent=False`: the base retries it only when
Ongage certainly did not act on it (a 429, a refused connection), never after a 5xx or a
timeout. `overwrite: true` makes a re-sent contact an update rather than a duplicate, which
is what makes a crash between Ongage's answer and the caller's commit harmless; it does not
make blind retries acceptable.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Self

import httpx
import msgspec

from app.clients.base import ClientPolicy, UpstreamError, VendorClient
from app.settings import Settings

# Ongage describes the contacts method for "2, 5, 10, 20" contacts; bulk goes elsewhere.
MAX_BATCH = 20
# List ids go into the URL path: digits only, so no input can reach another path.
_LIST_ID = re.compile(r"^[0-9]{1,20}$")
# Whole-batch refusals that retrying cannot fix: invalid data, list not found.
_REFUSED = (400, 404)
_PARTIAL = 412
# Ongage's answer when our credentials are wrong: true of every contact alike.
_CREDENTIALS_REFUSED = (401, 403)


class OngageCredentialsError(UpstreamError):
    """Ongage refused our credentials (401, 403): it says nothing about the contacts, so
    no caller should count it against them."""


FieldValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class OngagePolicy(ClientPolicy):
    """Ongage's own guidance after a 429: wait 1, 2, 4, 8, 16 minutes (API FAQ)."""

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.backoff_cap_seconds, retry_after)
        step = min(self.backoff_cap_seconds, self.backoff_base_seconds * 2.0 ** (attempt - 1))
        # Never shorter than the documented step; a little longer so callers spread out.
        return step + random.uniform(0, step / 20)  # noqa: S311 - jitter, not a secret


def valid_list_id(value: str) -> bool:
    """True when `value` can be an Ongage list id (digits)."""
    return _LIST_ID.match(value) is not None


@dataclass(frozen=True, slots=True)
class OngageContact:
    email: str
    # Ongage list fields (they must exist on the list); None values are sent as null.
    fields: Mapping[str, FieldValue]


@dataclass(frozen=True, slots=True)
class ContactOutcome:
    email: str
    # `sent`: created, updated or revived on the list; `failed`: refused, with Ongage's reason.
    status: Literal["sent", "failed"]
    # created / updated / revived when Ongage said which; the reason when failed.
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    list_id: str
    # One per contact sent, in the order sent.
    outcomes: tuple[ContactOutcome, ...]
    # Ongage's HTTP status: 200, 412 (partial success), or 400/404 (nothing applied).
    http_status: int
    message: str | None = None

    @property
    def sent(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == "sent")

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.sent


# Ongage (PHP) writes an empty map as `[]`, so every *_emails field may be either.
_Emails = dict[str, object] | list[object]


class _Payload(msgspec.Struct):
    created_emails: _Emails = msgspec.field(default_factory=dict)
    updated_emails: _Emails = msgspec.field(default_factory=dict)
    revived_emails: _Emails = msgspec.field(default_factory=dict)
    failed_emails: _Emails = msgspec.field(default_factory=dict)
    message: str | None = None


class _Answer(msgspec.Struct):
    payload: _Payload = msgspec.field(default_factory=_Payload)


class OngageClient(VendorClient):
    vendor = "ongage"
    settings_hint = "LIST_ID, X_USERNAME, X_PASSWORD and X_ACCOUNT_CODE"
    # 300 calls/min and 10 concurrent calls (API FAQ); 6 attempts = the 5 documented waits.
    policy = OngagePolicy(
        max_in_flight=10,
        rate_per_second=300 / 60,
        max_attempts=6,
        backoff_base_seconds=60.0,
        backoff_cap_seconds=960.0,
    )

    def __init__(
        self,
        *,
        base_url: str,
        default_list_id: str,
        username: str,
        password: str,
        account_code: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            secrets=(password,),
            headers={
                "X_USERNAME": username,
                "X_PASSWORD": password,
                "X_ACCOUNT_CODE": account_code,
            },
            transport=transport,
        )
        self.default_list_id = default_list_id

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        ongage = settings.ongage
        if ongage is None:
            return None
        return cls(
            base_url=ongage.base_url,
            default_list_id=ongage.list_id,
            username=ongage.username,
            password=ongage.password.reveal(),
            account_code=ongage.account_code,
        )

    async def add_contacts(self, list_id: str, contacts: Sequence[OngageContact]) -> BatchResult:
        """Adds or updates (`overwrite: true`) up to MAX_BATCH contacts on `list_id`.

        Returns every contact's outcome: a 412 is a partial success (the failed ones are
        named in `failed_emails`); a 400 or 404 refuses the whole batch, each contact then
        failed with Ongage's message. Raises UpstreamError (502/504) when Ongage could not
        be asked or its answer says nothing about the contacts (5xx, a timeout, 429 after
        the documented waits): the caller cannot know what was applied; and its subclass
        OngageCredentialsError for a 401 or 403.
        """
        if not contacts or len(contacts) > MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} contacts, not {len(contacts)}")
        if not valid_list_id(list_id):
            raise ValueError("an Ongage list id is digits")
        body = [
            {"email": contact.email, "overwrite": True, "fields": dict(contact.fields)}
            for contact in contacts
        ]
        try:
            response = await self.request(
                "POST",
                f"/{list_id}/api/v2/contacts/",
                json=body,
                idempotent=False,
                expected=(*_REFUSED, _PARTIAL),
            )
        except UpstreamError as exc:
            if exc.upstream_status in _CREDENTIALS_REFUSED:
                raise OngageCredentialsError(
                    exc.vendor, exc.detail, upstream_status=exc.upstream_status
                ) from exc
            raise
        payload = self.decode(response, _Answer).payload
        status = response.status_code
        if status in _REFUSED:
            reason = payload.message or f"refused by Ongage ({status})"
            outcomes = tuple(ContactOutcome(c.email, "failed", reason) for c in contacts)
        else:
            outcomes = _outcomes(contacts, payload)
        return BatchResult(list_id, outcomes, status, payload.message)


def _outcomes(contacts: Sequence[OngageContact], payload: _Payload) -> tuple[ContactOutcome, ...]:
    """Per contact: failed when `failed_emails` names it (Ongage's list of failures),
    else sent, with the action Ongage reported. Emails compare case-insensitively."""
    failed = _keyed(payload.failed_emails)
    actions = {
        email: action
        for action, emails in (
            ("revived", payload.revived_emails),
            ("updated", payload.updated_emails),
            ("created", payload.created_emails),
        )
        for email in _keyed(emails)
    }
    outcomes = []
    for contact in contacts:
        key = contact.email.lower()
        if key in failed:
            reason = failed[key] or "failed (no reason given)"
            outcomes.append(ContactOutcome(contact.email, "failed", reason))
        else:
            outcomes.append(ContactOutcome(contact.email, "sent", actions.get(key)))
    return tuple(outcomes)


def _keyed(emails: _Emails) -> dict[str, str]:
    """An *_emails field as {lower-cased email: value as text}; a list names emails only."""
    if isinstance(emails, list):
        return {str(email).lower(): "" for email in emails}
    return {email.lower(): "" if value is None else str(value) for email, value in emails.items()}
