"""The Ongage client: the request Ongage documents, per-contact outcomes (a 412 is a
partial success), the documented 429 backoff, its limits, and the money rule."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.clients.base import UpstreamError, UpstreamTimeoutError
from app.clients.ongage import (
    MAX_BATCH,
    OngageClient,
    OngageContact,
    OngagePolicy,
    valid_list_id,
)
from app.settings import load_settings
from tests.clients.ongage_answers import contacts_answer

BASE = "https://ongage.test"
URL = f"{BASE}/4321/api/v2/contacts/"
A = "+447400100001@yourmobile.com"
B = "+447400100002@yourmobile.com"
C = "+447400100003@yourmobile.com"


class FastOngage(OngageClient):
    """Ongage's policy with the waits in milliseconds, so that retries cost the suite nothing."""

    policy = OngagePolicy(
        max_in_flight=10, max_attempts=6, backoff_base_seconds=0.001, backoff_cap_seconds=0.01
    )


def contact(email: str, **fields: str | None) -> OngageContact:
    return OngageContact(email, fields)


def answer(
    *, created: dict[str, str] | None = None, failed: dict[str, str] | None = None
) -> dict[str, Any]:
    return contacts_answer(created or {}, failed or {})[1]


@pytest.fixture
async def ongage() -> AsyncIterator[OngageClient]:
    async with FastOngage(
        base_url=BASE,
        default_list_id="4321",
        username="api-user",
        password="ongage-pass-123",
        account_code="acme01",
    ) as client:
        yield client


async def test_a_batch_is_posted_as_ongage_documents_it(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(method="POST", url=URL, json=answer(created={A: "c1", B: "c2"}))
    result = await ongage.add_contacts(
        "4321", [contact(A, mobile="447400100001", country="GB"), contact(B, mobile=None)]
    )
    (request,) = httpx_mock.get_requests()
    assert request.headers["X_USERNAME"] == "api-user"
    assert request.headers["X_PASSWORD"] == "ongage-pass-123"
    assert request.headers["X_ACCOUNT_CODE"] == "acme01"
    assert json.loads(request.content) == [
        {"email": A, "overwrite": True, "fields": {"mobile": "447400100001", "country": "GB"}},
        {"email": B, "overwrite": True, "fields": {"mobile": None}},
    ]
    assert [(o.email, o.status, o.detail) for o in result.outcomes] == [
        (A, "sent", "created"),
        (B, "sent", "created"),
    ]
    assert (result.sent, result.failed, result.http_status) == (2, 0, 200)


async def test_updated_and_revived_contacts_are_sent(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    body = answer()
    payload = body["payload"]
    assert isinstance(payload, dict)
    payload |= {"updated_emails": {A.upper(): "c1"}, "revived_emails": {B: "c2"}, "success": 2}
    httpx_mock.add_response(json=body)
    result = await ongage.add_contacts("4321", [contact(A), contact(B)])
    assert [(o.status, o.detail) for o in result.outcomes] == [
        ("sent", "updated"),
        ("sent", "revived"),
    ]


async def test_a_412_is_a_partial_success_read_contact_by_contact(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        status_code=412,
        json=answer(created={B: "6949025e44bb030bad8b4568"}, failed={A: "Email already exists"}),
    )
    result = await ongage.add_contacts("4321", [contact(A), contact(B)])
    assert [(o.email, o.status, o.detail) for o in result.outcomes] == [
        (A, "failed", "Email already exists"),
        (B, "sent", "created"),
    ]
    assert (result.sent, result.failed, result.http_status) == (1, 1, 412)
    assert result.message == "1 contacts out of 2 have failed"
    assert len(httpx_mock.get_requests()) == 1


@pytest.mark.parametrize("status", [400, 404])
async def test_a_refused_batch_fails_every_contact_with_ongages_reason(
    ongage: OngageClient, httpx_mock: HTTPXMock, status: int
) -> None:
    httpx_mock.add_response(
        status_code=status,
        json={
            "metadata": {"error": True},
            "payload": {"code": status, "message": "List not found"},
        },
    )
    result = await ongage.add_contacts("4321", [contact(A), contact(B)])
    assert {(o.status, o.detail) for o in result.outcomes} == {("failed", "List not found")}
    assert result.http_status == status
    assert len(httpx_mock.get_requests()) == 1


async def test_a_429_is_backed_off_then_the_batch_goes_once(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    limited = {
        "metadata": {"error": True},
        "payload": {"code": 429, "errors": [], "message": "Calls per minute exceeded"},
    }
    httpx_mock.add_response(status_code=429, json=limited)
    httpx_mock.add_response(status_code=429, json=limited)
    httpx_mock.add_response(json=answer(created={A: "c1"}))
    result = await ongage.add_contacts("4321", [contact(A)])
    assert result.sent == 1
    assert len(httpx_mock.get_requests()) == 3


async def test_429s_past_the_documented_waits_are_a_502(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=429, is_reusable=True)
    with pytest.raises(UpstreamError) as raised:
        await ongage.add_contacts("4321", [contact(A)])
    assert raised.value.upstream_status == 429
    # One first try and one after each of the 5 documented waits.
    assert len(httpx_mock.get_requests()) == 6


def test_the_backoff_is_ongages_1_2_4_8_16_minutes() -> None:
    policy = OngageClient.policy
    waits = [policy.backoff(attempt, None) for attempt in range(1, 6)]
    for wait, minutes in zip(waits, (1, 2, 4, 8, 16), strict=True):
        assert minutes * 60 <= wait <= minutes * 60 * 1.05
    assert policy.max_attempts == 6
    assert policy.backoff(1, retry_after=90.0) == 90.0


def test_the_limits_are_300_calls_a_minute_and_10_in_flight() -> None:
    assert OngageClient.policy.rate_per_second == 5.0
    assert OngageClient.policy.max_in_flight == 10


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
@pytest.mark.parametrize(
    "failure",
    [httpx.Response(500), httpx.Response(502), httpx.ReadTimeout("slow"), httpx.ReadError("cut")],
    ids=["500", "502", "read-timeout", "read-error"],
)
async def test_a_batch_ongage_may_have_applied_is_never_resent(
    ongage: OngageClient, httpx_mock: HTTPXMock, failure: httpx.Response | Exception
) -> None:
    if isinstance(failure, httpx.Response):
        httpx_mock.add_response(status_code=failure.status_code)
    else:
        httpx_mock.add_exception(failure)
    httpx_mock.add_response(json=answer(created={A: "c1"}))
    with pytest.raises(UpstreamError) as raised:
        await ongage.add_contacts("4321", [contact(A)])
    if isinstance(failure, httpx.ReadTimeout):
        assert isinstance(raised.value, UpstreamTimeoutError)
    assert len(httpx_mock.get_requests()) == 1


async def test_a_refused_connection_is_retried_as_nothing_was_sent(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"))
    httpx_mock.add_response(json=answer(created={A: "c1"}))
    assert (await ongage.add_contacts("4321", [contact(A)])).sent == 1
    assert len(httpx_mock.get_requests()) == 2


@pytest.mark.parametrize("status", [401, 403])
async def test_credentials_ongage_refuses_are_a_502_without_the_password(
    ongage: OngageClient, httpx_mock: HTTPXMock, status: int
) -> None:
    httpx_mock.add_response(
        status_code=status, json={"payload": {"message": "Invalid Credentials"}}
    )
    with pytest.raises(UpstreamError) as raised:
        await ongage.add_contacts("4321", [contact(A)])
    assert raised.value.status_code == 502
    assert "ongage-pass-123" not in str(raised.value)


async def test_batches_and_list_ids_are_checked_before_any_call(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    too_many = [contact(f"+4474001{i:05d}@yourmobile.com") for i in range(MAX_BATCH + 1)]
    with pytest.raises(ValueError, match="1 to 20"):
        await ongage.add_contacts("4321", too_many)
    with pytest.raises(ValueError, match="1 to 20"):
        await ongage.add_contacts("4321", [])
    with pytest.raises(ValueError, match="digits"):
        await ongage.add_contacts("../admin", [contact(A)])
    assert httpx_mock.get_requests() == []
    assert valid_list_id("4321")
    assert not valid_list_id("12a")
    assert not valid_list_id("")


async def test_batches_run_side_by_side_within_the_limit(
    ongage: OngageClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=answer(created={C: "c3"}), is_reusable=True)
    results = await asyncio.gather(*(ongage.add_contacts("4321", [contact(C)]) for _ in range(12)))
    assert sum(r.sent for r in results) == 12
    assert len(httpx_mock.get_requests()) == 12


async def test_the_client_follows_the_settings() -> None:
    assert OngageClient.from_settings(load_settings({})) is None
    settings = load_settings(
        {
            "LIST_ID": "4321",
            "X_USERNAME": "api-user",
            "X_PASSWORD": "ongage-pass-123",
            "X_ACCOUNT_CODE": "acme01",
            "ONGAGE_BASE_URL": "http://127.0.0.1:9911/",
        }
    )
    client = OngageClient.from_settings(settings)
    assert client is not None
    async with client:
        assert client.default_list_id == "4321"


async def test_the_login_never_reaches_a_log_line(
    ongage: OngageClient, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    # The level that logs every call's headers.
    caplog.set_level(logging.DEBUG, logger="app.clients.base")
    httpx_mock.add_response(json=answer(created={C: "c1"}))
    await ongage.add_contacts("4321", [contact(C)])
    calls = [r for r in caplog.records if r.getMessage() == "vendor_call"]
    assert calls
    for secret in ("api-user", "acme01", "ongage-pass-123"):
        assert secret not in caplog.text
        assert not any(secret in json.dumps(vars(r), default=str) for r in caplog.records)
