"""Reading SQS messages from Voluum's live-event export (SNS → SQS).

A body is an SNS envelope whose `Message` is JSON, or, with raw delivery, that JSON
itself; the JSON is one event or a list of them. Each event gets an idempotency key: the
SNS message id (stable across SNS retries and SQS redeliveries) and its position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec


class LiveEvent(msgspec.Struct, rename="camel", frozen=True):
    """One click event; every field optional, unknown fields ignored."""

    click_id: str | None = None
    campaign_id: str | None = None
    offer_id: str | None = None
    timestamp: datetime | None = None
    external_id: str | None = None
    traffic_source_id: str | None = None
    lander_id: str | None = None
    affiliate_network_id: str | None = None
    brand: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    device: str | None = None
    model: str | None = None
    os: str | None = None
    os_version: str | None = None
    city: str | None = None
    region: str | None = None
    country_code: str | None = None
    isp: str | None = None
    ip: str | None = None
    referrer: str | None = None
    url: str | None = None
    user_agent: str | None = None
    language: str | None = None
    mobile_carrier: str | None = None
    connection_type: str | None = None
    flow_id: str | None = None
    path_id: str | None = None
    custom_variables: list[str | None] = msgspec.field(default_factory=list)


class _Envelope(msgspec.Struct):
    Type: str | None = None
    MessageId: str | None = None
    TopicArn: str | None = None
    Message: str | None = None


# What an object that is no Voluum event decodes to (every field is optional).
_NO_EVENT = LiveEvent()
NOT_AN_EVENT = "not a Voluum event: none of its fields is a known one"

_payload = msgspec.json.Decoder(list[msgspec.Raw] | dict[str, msgspec.Raw])
_event = msgspec.json.Decoder(LiveEvent)
_envelope = msgspec.json.Decoder(_Envelope)


class MalformedMessageError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class KeyedEvent:
    key: str
    event: LiveEvent


@dataclass(frozen=True, slots=True)
class BadEvent:
    """One event of a readable message that is not an event: parked on its own, so the
    message's other events are kept."""

    key: str
    raw: str
    error: str


def parse_body(sqs_message_id: str, body: str) -> tuple[list[KeyedEvent], list[BadEvent]]:
    """The events of one SQS message, and those of its items that are not events;
    MalformedMessageError if the message itself is not readable."""
    try:
        envelope = _envelope.decode(body)
    except msgspec.DecodeError:
        envelope = _Envelope()  # not an object: raw delivery of a list
    if envelope.Type == "Notification" and envelope.TopicArn and envelope.Message is not None:
        base, payload = envelope.MessageId or sqs_message_id, envelope.Message
    else:
        base, payload = sqs_message_id, body
    try:
        decoded = _payload.decode(payload)
    except msgspec.DecodeError as exc:
        raise MalformedMessageError(str(exc)) from exc
    items = decoded if isinstance(decoded, list) else [msgspec.json.encode(decoded)]
    events: list[KeyedEvent] = []
    bad: list[BadEvent] = []
    for position, item in enumerate(items):
        key = f"{base}:{position}"
        raw = bytes(item).decode("utf-8", "replace")
        try:
            event = _event.decode(item)
        except msgspec.DecodeError as exc:
            bad.append(BadEvent(key=key, raw=raw, error=str(exc)))
            continue
        if event == _NO_EVENT:  # `{}`, `{"foo": 1}`: stored, it would be an empty row
            bad.append(BadEvent(key=key, raw=raw, error=NOT_AN_EVENT))
        else:
            events.append(KeyedEvent(key=key, event=event))
    return events, bad
