"""The vendor client base: retries, the money rule, limits, errors and redaction."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Self

import httpx
import msgspec
import pytest
from pytest_httpx import HTTPXMock

from app.clients import Clients, open_clients
from app.clients.base import (
    ClientPolicy,
    RateLimiter,
    UpstreamError,
    UpstreamTimeoutError,
    VendorClient,
)
from app.errors import IntegrationDisabledError
from app.settings import Settings, load_settings

BASE = "https://api.acme.test/v1"
# Backoff in milliseconds, so that retries cost the suite nothing.
FAST = ClientPolicy(max_attempts=3, backoff_base_seconds=0.001, backoff_cap_seconds=0.01)


class Acme(VendorClient):
    """A test vendor, configured by the Voluum settings group."""

    vendor = "acme"
    settings_hint = "ACME_ID and ACME_KEY"
    policy = FAST

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        if settings.voluum is None:
            return None
        key = settings.voluum.access_key.reveal()
        return cls(base_url=settings.voluum.base_url, secrets=(key,), headers={"x-acme": key})


class Narrow(Acme):
    vendor = "narrow"
    policy = ClientPolicy(max_in_flight=2, max_attempts=1)


class Unconfigured(Acme):
    vendor = "unconfigured"
    settings_hint = "UNCONFIGURED_KEY"

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        return None


@pytest.fixture
async def acme() -> AsyncIterator[Acme]:
    async with Acme(base_url=BASE) as client:
        yield client


async def test_429_and_503_are_retried_until_an_answer(acme: Acme, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=429)
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(json={"ok": True})
    response = await acme.request("GET", "/things", params={"page": 2})
    assert response.json() == {"ok": True}
    requests = httpx_mock.get_requests()
    assert len(requests) == 3
    assert {str(r.url) for r in requests} == {f"{BASE}/things?page=2"}


async def test_connection_failures_and_timeouts_are_retried(
    acme: Acme, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"))
    httpx_mock.add_exception(httpx.ReadTimeout("slow"))
    httpx_mock.add_response(json=[])
    assert (await acme.request("GET", "/things")).json() == []
    assert len(httpx_mock.get_requests()) == 3


async def test_retry_after_is_honoured(
    acme: Acme, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[tuple[int, float | None]] = []

    def no_wait(_policy: ClientPolicy, attempt: int, retry_after: float | None) -> float:
        waits.append((attempt, retry_after))
        return 0.0

    monkeypatch.setattr(ClientPolicy, "backoff", no_wait)
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(
        status_code=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    httpx_mock.add_response()
    await acme.request("GET", "/things")
    # An HTTP date is not read: the policy's own backoff applies to it.
    assert waits == [(1, 7.0), (2, None)]


def test_backoff_follows_retry_after_up_to_the_cap_and_jitters_otherwise() -> None:
    policy = ClientPolicy(backoff_base_seconds=1.0, backoff_cap_seconds=10.0)
    assert policy.backoff(1, 3.0) == 3.0
    assert policy.backoff(1, 3600.0) == 10.0
    assert 2.0 <= policy.backoff(3, None) <= 4.0
    assert 5.0 <= policy.backoff(9, None) <= 10.0


async def test_a_long_retry_after_waits_no_longer_than_the_cap(
    acme: Acme, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "3600"})
    httpx_mock.add_response()
    # A guard, not a measurement: without the cap this would wait an hour.
    async with asyncio.timeout(10):
        await acme.request("GET", "/things")


async def test_attempts_are_bounded_then_502_names_the_vendor_and_status(
    acme: Acme, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=503, is_reusable=True)
    with pytest.raises(UpstreamError) as caught:
        await acme.request("GET", "/report", params={"token": "t0k"})
    assert len(httpx_mock.get_requests()) == FAST.max_attempts
    error = caught.value
    assert (error.status_code, error.code, error.upstream_status) == (502, "upstream_error", 503)
    assert error.detail == "acme answered 503 to GET /v1/report"


async def test_timeouts_after_every_attempt_are_504(acme: Acme, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), is_reusable=True)
    with pytest.raises(UpstreamTimeoutError) as caught:
        await acme.request("GET", "/report")
    assert len(httpx_mock.get_requests()) == FAST.max_attempts
    assert (caught.value.status_code, caught.value.code) == (504, "upstream_timeout")
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


async def test_refused_connections_after_every_attempt_are_502(
    acme: Acme, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"), is_reusable=True)
    with pytest.raises(UpstreamError) as caught:
        await acme.request("GET", "/report")
    assert len(httpx_mock.get_requests()) == FAST.max_attempts
    assert (caught.value.status_code, caught.value.upstream_status) == (502, None)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
async def test_other_4xx_are_not_retried(acme: Acme, httpx_mock: HTTPXMock, status: int) -> None:
    httpx_mock.add_response(status_code=status, json={"error": "nope"})
    with pytest.raises(UpstreamError) as caught:
        await acme.request("GET", "/things")
    assert len(httpx_mock.get_requests()) == 1
    assert (caught.value.status_code, caught.value.upstream_status) == (502, status)


async def test_expected_statuses_are_returned_for_the_vendor_class(
    acme: Acme, httpx_mock: HTTPXMock
) -> None:
    # Voluum answers a manual cost on a period without visits with 417 NO_VISITS_PERIOD.
    httpx_mock.add_response(status_code=417, json={"error": {"code": "NO_VISITS_PERIOD"}})
    response = await acme.request("PUT", "/report/manual-cost", json={}, expected={417})
    assert response.status_code == 417
    assert len(httpx_mock.get_requests()) == 1


def _case_id(value: object) -> str:
    if isinstance(value, httpx.Response):
        return f"HTTP {value.status_code}"
    if isinstance(value, Exception):
        return type(value).__name__
    return f"{value} sent"


# The money rule: a call that costs money or reaches a person is repeated only when the
# vendor certainly did not act on it.
@pytest.mark.parametrize(
    ("failure", "sent"),
    [
        (httpx.Response(500), 1),
        (httpx.Response(502), 1),
        (httpx.ReadTimeout("slow"), 1),
        (httpx.WriteTimeout("slow"), 1),
        (httpx.RemoteProtocolError("dropped"), 1),
        (httpx.ReadError("reset"), 1),
        (httpx.Response(429), 2),
        (httpx.ConnectError("refused"), 2),
        (httpx.ConnectTimeout("slow"), 2),
        (httpx.PoolTimeout("busy"), 2),
    ],
    ids=_case_id,
)
@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
async def test_a_call_that_costs_money_is_retried_only_when_it_was_not_received(
    acme: Acme, httpx_mock: HTTPXMock, failure: httpx.Response | Exception, sent: int
) -> None:
    if isinstance(failure, httpx.Response):
        httpx_mock.add_response(status_code=failure.status_code)
    else:
        httpx_mock.add_exception(failure)
    httpx_mock.add_response(json={"sent": True})
    call = acme.request("POST", "/sms", json={"to": "447400100001"}, idempotent=False)
    if sent == 1:
        with pytest.raises(UpstreamError):
            await call
    else:
        assert (await call).json() == {"sent": True}
    assert len(httpx_mock.get_requests()) == sent


async def test_no_more_calls_are_in_flight_than_the_policy_allows(
    httpx_mock: HTTPXMock,
) -> None:
    in_flight = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={})

    httpx_mock.add_callback(slow, is_reusable=True)
    async with Narrow(base_url=BASE) as narrow:
        await asyncio.gather(*(narrow.request("GET", f"/things/{i}") for i in range(6)))
    assert len(httpx_mock.get_requests()) == 6
    assert peak == 2


async def test_the_rate_limiter_spaces_calls_without_sleeping_the_first() -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    limiter = RateLimiter(20, clock=lambda: 100.0, sleep=record)
    for _ in range(4):
        await limiter.wait()
    assert waits == pytest.approx([0.05, 0.10, 0.15])


async def test_secrets_never_reach_a_log_line(
    httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    key, header_secret, bearer = "k3y/with+chars", "h3ader-secret", "b3arer-token"
    caplog.set_level(logging.DEBUG)
    # httpx logs every request's full URL itself; configure_logging keeps it quiet.
    caplog.set_level(logging.WARNING, logger="httpx")
    httpx_mock.add_response(status_code=503, text=f"bad key {key}")
    httpx_mock.add_response(status_code=401, json={"error": f"unknown {header_secret}"})
    client = Acme(
        base_url="https://user:proxy-pass@batches.acme.test",
        secrets=(key, header_secret),
        headers={"x-custom": header_secret},
    )
    async with client:
        with pytest.raises(UpstreamError) as caught:
            await client.request(
                "GET",
                f"/batches/{key}/",
                params={"apikey": key, "secret": "s3cret", "page": "1"},
                headers={"Authorization": f"Bearer {bearer}", "cwauth-token": "cw-tok"},
            )
    calls = [r for r in caplog.records if r.getMessage() == "vendor_call"]
    assert [(r.__dict__["status"], r.__dict__["outcome"]) for r in calls] == [
        (503, "retry"),
        (401, "failed"),
    ]
    assert calls[0].__dict__["headers"]["authorization"] == "***"
    assert "page=1" in calls[0].__dict__["url"]
    logged = [json.dumps(vars(r), default=str) for r in caplog.records]
    for secret in (key, "k3y%2Fwith%2Bchars", header_secret, bearer, "s3cret", "cw-tok"):
        assert not any(secret in line for line in logged), secret
        assert secret not in caplog.text
        assert secret not in caught.value.detail
    assert "proxy-pass" not in "".join(logged)


class Answer(msgspec.Struct):
    results: list[int]


async def test_decode_reads_the_body_or_answers_502(acme: Acme, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"results": [1, 2]})
    httpx_mock.add_response(json={"results": "soon"})
    assert acme.decode(await acme.request("GET", "/ok"), Answer) == Answer(results=[1, 2])
    with pytest.raises(UpstreamError) as caught:
        acme.decode(await acme.request("GET", "/odd"), Answer)
    assert caught.value.status_code == 502
    assert caught.value.detail == "acme sent an unreadable answer to GET /v1/odd"


async def test_a_given_transport_is_used() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=request.url.path))
    async with Acme(base_url=BASE, transport=transport) as client:
        assert (await client.request("GET", "/here")).text == "/v1/here"


def test_an_unconfigured_vendor_answers_503_naming_its_variables() -> None:
    with pytest.raises(IntegrationDisabledError) as caught:
        Clients().get(Acme)
    assert caught.value.status_code == 503
    assert caught.value.detail == "acme is not configured: set ACME_ID and ACME_KEY"


CONFIGURED = {"VOLUUM_ACCESS_ID": "id", "VOLUUM_ACCESS_KEY": "voluum-secret"}


async def test_open_clients_opens_the_configured_and_closes_them() -> None:
    settings = load_settings({**CONFIGURED, "VOLUUM_BASE_URL": "http://localhost:1/"})
    async with open_clients(settings, [Acme, Unconfigured]) as clients:
        acme = clients.get(Acme)
        with pytest.raises(IntegrationDisabledError, match="set UNCONFIGURED_KEY"):
            clients.get(Unconfigured)
    with pytest.raises(RuntimeError, match="client has been closed"):
        await acme.request("GET", "/after")


async def test_every_client_is_closed_even_when_one_close_fails() -> None:
    closed: list[str] = []

    class Tracked(Acme):
        async def aclose(self) -> None:
            closed.append(self.vendor)
            await super().aclose()

    class Broken(Tracked):
        vendor = "broken"

        async def aclose(self) -> None:
            await super().aclose()
            raise OSError("socket already gone")

    class Last(Tracked):
        vendor = "last"

    with pytest.raises(OSError, match="socket already gone"):
        async with open_clients(load_settings(CONFIGURED), [Tracked, Broken, Last]):
            pass
    assert sorted(closed) == ["acme", "broken", "last"]
