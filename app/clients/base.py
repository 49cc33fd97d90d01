"""The base of every vendor client: timeouts, a concurrency cap, a rate limit, bounded
retries with jittered backoff, errors as AppErrors and redacted log lines (DESIGN rule 13).

Each vendor (Voluum, MessageWhiz, HLR Lookup, Ongage) subclasses `VendorClient` with its
policy and typed keyword-only methods; the subclass owns one `httpx.AsyncClient`, opened
and closed by the lifespan.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar, Protocol, Self, TypeVar

import httpx
import msgspec

from app import __version__
from app.clients.redaction import redact, redact_headers, redact_url
from app.errors import AppError
from app.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
Primitive = str | int | float | bool | None
QueryParams = Mapping[str, Primitive | Sequence[Primitive]] | list[tuple[str, Primitive]]

# How much of an error body goes into the log line: enough for a vendor's error code.
_BODY_LOG_CHARS = 200

# The request certainly never reached the vendor: no connection was made.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class UpstreamError(AppError):
    """A vendor answered an error after retries, could not be reached, or was unreadable."""

    status_code = 502
    code = "upstream_error"

    def __init__(self, vendor: str, detail: str, *, upstream_status: int | None = None) -> None:
        super().__init__(detail)
        self.vendor = vendor
        # The vendor's HTTP status, when it answered at all.
        self.upstream_status = upstream_status


class UpstreamTimeoutError(UpstreamError):
    """A vendor did not answer in time, after retries."""

    status_code = 504
    code = "upstream_timeout"


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    """How a vendor is called: timeouts (seconds), concurrency, rate and retries."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    pool_timeout: float = 30.0
    max_in_flight: int = 10
    # None: no rate limit beyond the concurrency cap.
    rate_per_second: float | None = None
    max_attempts: int = 3
    backoff_base_seconds: float = 0.5
    backoff_cap_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.max_in_flight < 1 or self.max_attempts < 1:
            raise ValueError("max_in_flight and max_attempts must be at least 1")
        if self.rate_per_second is not None and self.rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive (or None)")

    @property
    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.write_timeout,
            pool=self.pool_timeout,
        )

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed `attempt` (1-based): the vendor's Retry-After if it
        sent one, else exponential with jitter; never more than the cap."""
        if retry_after is not None:
            return min(self.backoff_cap_seconds, retry_after)
        ceiling = min(self.backoff_cap_seconds, self.backoff_base_seconds * 2.0 ** (attempt - 1))
        # Half fixed, half random: callers that failed together do not retry together.
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not a secret


class RateLimiter:
    """Spaces call starts at least 1/rate seconds apart (monotonic clock), in arrival order."""

    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate_per_second
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0

    async def wait(self) -> None:
        # No await between reading and booking the slot: the event loop makes this atomic.
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


class CallRecorder(Protocol):
    """Where each attempt is counted (the application's metrics)."""

    def observe_vendor_call(
        self, vendor: str, outcome: str, status: str, seconds: float
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class _Failure:
    error: UpstreamError
    retry: bool
    retry_after: float | None = None


class VendorClient(ABC):
    """One vendor's HTTP client; subclasses set the class attributes and add methods."""

    vendor: ClassVar[str]
    # The variables that enable the vendor, named by the 503 when they are missing.
    settings_hint: ClassVar[str]
    policy: ClassVar[ClientPolicy] = ClientPolicy()

    def __init__(
        self,
        *,
        base_url: str,
        secrets: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # Every value here is masked in log lines and error details.
        self._secrets = tuple(secret for secret in secrets if secret)
        self._recorder: CallRecorder | None = None
        self._in_flight = asyncio.Semaphore(self.policy.max_in_flight)
        rate = self.policy.rate_per_second
        self._rate = RateLimiter(rate) if rate is not None else None
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"User-Agent": f"optimizer/{__version__}", **(headers or {})},
            timeout=self.policy.timeout,
            limits=httpx.Limits(
                max_connections=self.policy.max_in_flight,
                max_keepalive_connections=self.policy.max_in_flight,
            ),
            transport=transport,
        )

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        """The client for these settings; None when its integration is not configured."""

    def record_calls(self, recorder: CallRecorder) -> None:
        """Count each attempt (vendor, outcome, status, duration) in `recorder` too."""
        self._recorder = recorder

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        json: object = None,
        data: Mapping[str, str] | None = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        expected: Collection[int] = (),
    ) -> httpx.Response:
        """One call under the policy. A 2xx, or a status in `expected` (which the vendor
        class handles itself), is returned; anything else raises an UpstreamError.

        Retried: 429, 5xx, timeouts and connection failures, up to `policy.max_attempts`.
        Money rule: with `idempotent=False` (a call that costs money or reaches a person)
        the call is retried only when the vendor certainly did not act on it: a 429 (the
        vendor refused it) or a failure to connect. Never after a 5xx, a read timeout or a
        connection dropped after sending: the vendor may have done it, and doing it twice
        charges twice or messages a person twice.
        """
        request = self._http.build_request(
            method, path, params=params, json=json, data=data, content=content, headers=headers
        )
        attempt = 0
        while True:
            attempt += 1
            result = await self._attempt(request, attempt, idempotent, expected)
            if isinstance(result, httpx.Response):
                return result
            if not result.retry or attempt >= self.policy.max_attempts:
                raise result.error
            await asyncio.sleep(self.policy.backoff(attempt, result.retry_after))

    def decode(self, response: httpx.Response, into: type[T]) -> T:
        """The JSON body as `into`; a body that does not fit is an UpstreamError (502)."""
        try:
            return msgspec.json.decode(response.content, type=into)
        except msgspec.DecodeError as exc:
            where = self._where(response.request)
            # msgspec names the path that failed ($.results[0].x), not the values.
            log.warning(
                "vendor_response_unreadable",
                extra={"vendor": self.vendor, "call": where, "error": str(exc)},
            )
            raise UpstreamError(
                self.vendor,
                f"{self.vendor} sent an unreadable answer to {where}",
                upstream_status=response.status_code,
            ) from exc

    async def _attempt(
        self, request: httpx.Request, attempt: int, idempotent: bool, expected: Collection[int]
    ) -> httpx.Response | _Failure:
        """Sends once; the response to return, or the failure and whether to retry it."""
        async with self._in_flight:
            if self._rate is not None:
                await self._rate.wait()
            started = time.monotonic()
            try:
                response = await self._http.send(request)
            except httpx.RequestError as exc:
                failure = self._transport_failure(request, exc, idempotent)
                self._log(request, attempt, started, failure, error=type(exc).__name__)
                return failure
        status = response.status_code
        if response.is_success or status in expected:
            self._log(request, attempt, started, None, status=status)
            return response
        failure = _Failure(
            UpstreamError(
                self.vendor,
                f"{self.vendor} answered {status} to {self._where(request)}",
                upstream_status=status,
            ),
            retry=status == 429 or (status >= 500 and idempotent),
            retry_after=_retry_after(response),
        )
        # Redacted before it is cut, so that no secret is left half-masked at the cut.
        body = redact(response.text, self._secrets)[:_BODY_LOG_CHARS]
        self._log(request, attempt, started, failure, status=status, body=body)
        return failure

    def _transport_failure(
        self, request: httpx.Request, exc: httpx.RequestError, idempotent: bool
    ) -> _Failure:
        where = self._where(request)
        unsent = isinstance(exc, _UNSENT)
        error: UpstreamError
        if isinstance(exc, httpx.TimeoutException):
            error = UpstreamTimeoutError(self.vendor, f"{self.vendor} timed out on {where}")
            transient = True
        else:
            error = UpstreamError(
                self.vendor, f"{self.vendor} connection failed on {where}: {type(exc).__name__}"
            )
            # A dropped or refused connection may pass; a malformed request or an
            # undecodable body will fail the same way again.
            transient = isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError)
        error.__cause__ = exc
        return _Failure(error, retry=unsent or (idempotent and transient))

    def _where(self, request: httpx.Request) -> str:
        """Method and path, for error details: no host, no query string, no secret."""
        return f"{request.method} {redact(request.url.path, self._secrets)}"

    def _log(
        self,
        request: httpx.Request,
        attempt: int,
        started: float,
        failure: _Failure | None,
        *,
        status: int | None = None,
        error: str | None = None,
        body: str | None = None,
    ) -> None:
        if failure is None:
            level, outcome = logging.INFO, "ok"
        else:
            final = not failure.retry or attempt >= self.policy.max_attempts
            level, outcome = logging.WARNING, "failed" if final else "retry"
        elapsed = time.monotonic() - started
        if self._recorder is not None:
            # The status, or the transport error's class when the vendor never answered:
            # both few, so fit for a label (never the URL, which may carry a phone).
            label = str(status) if status is not None else (error or "none")
            self._recorder.observe_vendor_call(self.vendor, outcome, label, elapsed)
        extra: dict[str, object] = {
            "vendor": self.vendor,
            "method": request.method,
            "url": redact_url(request.url, self._secrets),
            "status": status,
            "attempt": attempt,
            "elapsed_ms": round(elapsed * 1000, 1),
            "outcome": outcome,
        }
        if error is not None:
            extra["error"] = error
        if body:
            extra["body"] = body
        if log.isEnabledFor(logging.DEBUG):
            extra["headers"] = redact_headers(request.headers, self._secrets)
        log.log(level, "vendor_call", extra=extra)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds; None when absent or an HTTP date (backoff applies then)."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None
