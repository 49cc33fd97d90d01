"""The OpenAPI document tells the truth, and its pages load nothing from elsewhere.

The last test runs schemathesis over every operation of the document against the
application in process; the others pin down what it checks against.
"""

from __future__ import annotations

import base64
import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
import schemathesis
from litestar import Litestar
from schemathesis.engine import events, from_schema
from schemathesis.python import asgi

from app.auth.repository import ApiKeyRepository
from app.auth.service import ApiKeyService
from app.main import create_app
from app.openapi import error_body
from app.sql import SQL_DIR, SqlQueries
from tests.broadcasts.fakes import fake_upstreams
from tests.conftest import make_settings, serve_in_loop

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# Examples per operation and phase: enough to reach every documented status, few
# enough to keep the suite quick (the script, scripts/check_openapi.py, does more).
MAX_EXAMPLES = 25
SEED = 20240601


@pytest.fixture
def document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def _responses(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method.lower()]["responses"]


def _component(response: dict[str, Any], media_type: str = "application/json") -> str:
    return response["content"][media_type]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("GET", "/health", {"200"}),
        ("GET", "/", {"200"}),
        ("GET", "/ready", {"200", "503"}),
        ("GET", "/get-metrics", {"200", "401", "503"}),
        ("POST", "/auth/stream-token", {"200", "401", "415", "503"}),
        ("POST", "/api-keys", {"201", "400", "401", "403", "409", "413", "415", "503"}),
        ("DELETE", "/api-keys/{key_pk}", {"200", "400", "401", "403", "404", "415", "503"}),
        ("GET", "/files", {"200", "400", "401", "503"}),
        ("POST", "/upload", {"200", "400", "401", "403", "413", "415", "503"}),
        ("POST", "/{file_id}/process", {"200", "400", "401", "403", "404", "409", "415", "503"}),
        ("GET", "/{file_id}/download", {"200", "400", "401", "404", "503"}),
        ("GET", "/db-download", {"200", "400", "401", "403", "404", "503"}),
        ("GET", "/jobs/{job_id}/events", {"200", "400", "401", "404", "503"}),
        ("GET", "/phones/{phone}", {"200", "400", "401", "503"}),
    ],
)
def test_each_operation_documents_the_statuses_it_answers_with(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    assert set(_responses(document, method, path)) == statuses


def test_every_error_is_the_one_error_body(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) < 400 or (method, path) == ("get", "/ready"):
                    continue
                assert _component(response) == error_body(int(status)).__name__, (method, path)
    # /ready's 503 is its own readiness report, not an error.
    assert _component(_responses(document, "GET", "/ready")["503"]) == "Readiness"


def test_codes_are_the_ones_each_status_is_sent_with(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["BadRequestError"]["properties"]["code"]["enum"] == [
        "bad_request",
        "validation_error",
    ]
    assert schemas["NotFoundError"]["properties"]["code"]["const"] == "not_found"
    assert set(schemas["UnavailableError"]["properties"]["code"]["enum"]) == {
        "integration_disabled",
        "unavailable",
    }


def test_streams_are_documented_as_what_they_send(document: dict[str, Any]) -> None:
    for path in ("/{file_id}/download", "/db-download", "/db-manual-update/{import_id}/download"):
        assert list(_responses(document, "GET", path)["200"]["content"]) == ["text/csv"]
    events_ok = _responses(document, "GET", "/jobs/{job_id}/events")["200"]
    assert list(events_ok["content"]) == ["text/event-stream"]


def test_the_docs_are_not_operations_of_the_api(document: dict[str, Any]) -> None:
    assert not [path for path in document["paths"] if path.startswith("/schema")]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/files", {"params": {"status": "bogus"}}, 400),
        ("POST", "/api-keys", {"json": {"name": 7}}, 400),
        ("GET", "/jobs/not-a-uuid", {}, 404),
        ("GET", f"/jobs/{uuid.uuid4()}", {}, 404),
        ("POST", "/api-keys", {"files": {"file": b"x"}}, 415),
        ("GET", "/get-metrics", {"headers": {"X-API-Key": "opt_unknown"}}, 401),
    ],
)
async def test_real_errors_decode_as_documented(
    client: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    response = await client.request(method, path, **kwargs)
    assert response.status_code == status
    body = msgspec.json.decode(response.content, type=error_body(status))
    assert body.request_id == response.headers["x-request-id"]
    if body.code == "validation_error":
        assert body.errors


async def test_a_scope_too_small_is_a_documented_403(
    anonymous: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    response = await anonymous.get("/api-keys", headers={"X-API-Key": keys["read"]})
    assert response.status_code == 403
    assert msgspec.json.decode(response.content, type=error_body(403)).code == "forbidden"


_ASSET_URL = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
async def test_docs_pages_load_their_assets_from_the_service(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    # The browser is told so too: scripts, styles and requests from this service only.
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline';" in policy
    assert "http" not in policy
    urls = _ASSET_URL.findall(response.text)
    assert urls
    for url in urls:
        assert url.startswith("/schema/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in {
            "text/javascript",
            "text/css",
            "image/png",
        }


async def test_docs_assets_are_protected_like_the_docs(
    anonymous: httpx.AsyncClient, database_url: str
) -> None:
    assert (await anonymous.get("/schema/assets/swagger-ui.css")).status_code == 401
    assert (await anonymous.get("/schema/assets/not-an-asset.js")).status_code == 401
    public = create_app(make_settings(database_url, DOCS_PUBLIC="true"))
    async with serve_in_loop(public) as client:
        assert (await client.get("/schema/assets/swagger-ui.css")).status_code == 200
        assert (await client.get("/schema/assets/not-an-asset.js")).status_code == 404


# --- schemathesis over the whole document ------------------------------------------------

# What the run can write; emptied afterwards, as the suite's other committing tests do.
_WRITTEN = (
    "csv_processing_stats", "files", "schedule_runs", "jobs", "phone_lists", "api_keys",
    "hlr_risky_operators", "broadcast_campaign_stats",
)  # fmt: skip


@pytest.fixture
async def committed_admin_key(pool: asyncpg.Pool) -> AsyncIterator[tuple[uuid.UUID, str]]:
    async with pool.acquire() as conn:
        had_secret = await conn.fetchval("SELECT count(*) FROM stream_token_secret")
        # PUT /voluum/os-version-rules replaces them: put the migration's back afterwards.
        rules = await conn.fetch("SELECT * FROM os_version_rules")
        service = ApiKeyService(ApiKeyRepository(conn, SqlQueries.load(SQL_DIR)))
        created = await service.create("openapi-check", "admin")
    try:
        yield created.id, created.key
    finally:
        async with pool.acquire() as conn:
            for table in _WRITTEN:
                await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            if not had_secret:
                await conn.execute("DELETE FROM stream_token_secret")
            await conn.execute("DELETE FROM os_version_rules")
            await conn.copy_records_to_table(
                "os_version_rules", records=[tuple(r) for r in rules], columns=list(rules[0].keys())
            )


def _guard_key(app: Litestar, key_pk: uuid.UUID) -> Any:
    """The app, except that the run's own key cannot be revoked: schemathesis reuses ids
    from responses (GET /api-keys lists ours), and a revoked key makes the rest 401s.
    That one request goes to a fresh id instead, a documented 404."""

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "DELETE":
            last = scope["path"].rstrip("/").rsplit("/", 1)[-1]
            with contextlib.suppress(ValueError):
                if uuid.UUID(last) == key_pk:
                    path = f"/api-keys/{uuid.uuid4()}"
                    scope = {**scope, "path": path, "raw_path": path.encode()}
        await app(scope, receive, send)  # type: ignore[arg-type]

    return guarded


@contextlib.contextmanager
def _lifespans_closed() -> Iterator[None]:
    try:
        yield
    finally:
        # schemathesis keeps the app's lifespan (and so its pool) until told.
        asgi.shutdown_lifespans()


@pytest.fixture
def upstreams() -> Iterator[dict[str, str]]:
    """Local fake MessageWhiz and Voluum: the broadcast routes call them while answering."""
    with fake_upstreams() as env:
        yield env


def test_every_operation_answers_as_documented(
    database_url: str,
    committed_admin_key: tuple[uuid.UUID, str],
    tmp_path: Path,
    upstreams: dict[str, str],
) -> None:
    key_pk, key = committed_admin_key
    settings = make_settings(
        database_url,
        UPLOAD_ROOT=str(tmp_path),
        # So that the encryption routes work rather than answer 503.
        AES_KEY=base64.urlsafe_b64encode(bytes(32)).decode(),
        # And the HLR routes (the worker is off: nothing reaches these hosts).
        HLRLOOKUP_APIKEY="schemathesis-key",
        HLRLOOKUP_SECRET="schemathesis-secret",
        HLR_BATCH_BASE_URL="http://127.0.0.1:9",
        HLR_API_BASE_URL="http://127.0.0.1:9/apiv2",
        # So that the Voluum syncs queue their jobs (which no worker runs here) and answer
        # 202 at once, rather than answer 503.
        VOLUUM_ACCESS_ID="openapi-check",
        VOLUUM_ACCESS_KEY="openapi-check",
        VOLUUM_TRAFFIC_SOURCE_IDS="ts-1",
        VOLUUM_SYNC_WAIT_SECONDS="0",
        # So that CSV jobs can start rather than answer 503 (no worker runs: nothing is sent).
        LIST_ID="4321",
        X_USERNAME="api-user",
        X_PASSWORD="ongage-pass",
        X_ACCOUNT_CODE="acme01",
        ONGAGE_BASE_URL="http://127.0.0.1:9",
        # And the broadcast routes, which answer from MessageWhiz and Voluum at once.
        **upstreams,
    )
    # Its own pool, on schemathesis's event loop: requests commit (cleaned up above).
    app = create_app(settings)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"X-API-Key": key},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {
                "examples": {},
                "coverage": {},
                "fuzzing": {},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            # A job's stream sends its state at once: one event is all a check needs.
            "max-stream-events": 1,
            "request-timeout": 30,  # a hang fails the test rather than stalling the suite
        }
    )
    failures: list[str] = []
    operations: set[str] = set()
    with _lifespans_closed():
        schema = schemathesis.openapi.from_asgi(
            "/schema/openapi.json",
            _guard_key(app, key_pk),
            config=config,
            headers={"X-API-Key": key},
        )
        documented = {
            f"{method.upper()} {path}"
            for path, item in schema.raw_schema["paths"].items()
            for method in item
        }
        for event in from_schema(schema).execute():
            if isinstance(event, events.NonFatalError | events.FatalError):
                failures.append(f"error: {getattr(event, 'info', event)}")
            if not isinstance(event, events.ScenarioFinished) or event.label is None:
                continue
            operations.add(event.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        message = " ".join(failure.message.split())[:300]
                        failures.append(f"{check.name}: {event.label}: {failure.title}: {message}")
    assert sorted(set(failures)) == []
    assert operations == documented
