"""Check that the service answers as its OpenAPI document says, with schemathesis.

    .venv/bin/python scripts/check_openapi.py [--max-examples 100] [--seed 1]

Starts a throwaway embedded PostgreSQL in a temporary folder, migrates it, creates an
admin key, builds the application (in process: no server, no network) and runs
schemathesis over every operation of /schema/openapi.json, as `st run` would: the
examples, coverage and fuzzing phases, with the checks not_a_server_error,
status_code_conformance, content_type_conformance and response_schema_conformance.
Prints one line per failure and the totals; exits 1 when anything failed.

`--database-url` uses that database instead (it must be migrated and be one kept for
tests: the run commits what the requests create).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import schemathesis
from litestar import Litestar
from schemathesis.engine import events, from_schema
from schemathesis.python import asgi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.repository import ApiKeyRepository  # noqa: E402 - after the path
from app.auth.service import ApiKeyService  # noqa: E402
from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402
from app.settings import load_settings  # noqa: E402
from app.sql import SQL_DIR, SqlQueries  # noqa: E402

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PHASES = ("examples", "coverage", "fuzzing")


async def create_admin_key(url: str) -> tuple[uuid.UUID, str]:
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        service = ApiKeyService(ApiKeyRepository(conn, SqlQueries.load(SQL_DIR)))
        created = await service.create(f"openapi-check-{uuid.uuid4().hex[:8]}", "admin")
    finally:
        await conn.close()
    return created.id, created.key


def schemathesis_config(
    key: str,
    *,
    max_examples: int,
    seed: int,
    phases: tuple[str, ...] = PHASES,
    checks: tuple[str, ...] = CHECKS,
) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "headers": {"X-API-Key": key},
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
            },
            "phases": {name: {"enabled": name in phases} for name in (*PHASES, "stateful")},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
            # A job's stream sends the job's state at once, then waits for changes: the
            # first event is all a check needs, and nothing then waits on a heartbeat.
            "max-stream-events": 1,
            # A safety net: a request that hangs fails the run instead of stalling it.
            "request-timeout": 30,
        }
    )


def protect_key(app: Litestar, key_pk: uuid.UUID) -> Any:
    """The app, except that the run's own key cannot be revoked.

    GET /api-keys lists every key's id and schemathesis reuses ids from responses, so
    DELETE /api-keys/{our id} would come, and every later request would be a 401.
    That request goes to a fresh id instead (a 404, as documented).
    """

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "DELETE":
            *_, last = scope["path"].rstrip("/").rsplit("/", 1)
            with contextlib.suppress(ValueError):
                if uuid.UUID(last) == key_pk:
                    path = f"/api-keys/{uuid.uuid4()}"
                    scope = {**scope, "path": path, "raw_path": path.encode()}
        await app(scope, receive, send)  # type: ignore[arg-type]

    return guarded


def _example(interaction: Any) -> str:
    """One request that failed, and its answer, short."""
    if interaction is None:
        return ""
    request, response = interaction.request, interaction.response
    body = (request.body or b"")[:120]
    answer = "" if response is None else f"-> {response.status_code} {response.content[:160]!r}"
    return f"[{request.method} {request.uri} {body!r} {answer}]"


class Tally:
    """What a run did: operations, test cases, failures by check."""

    def __init__(self) -> None:
        self.operations: set[str] = set()
        self.cases = 0
        self.responses: collections.Counter[str] = collections.Counter()
        self.by_operation: dict[str, collections.Counter[int]] = collections.defaultdict(
            collections.Counter
        )
        self.failures: dict[tuple[str, str, str], str] = {}
        self.errors: list[str] = []

    def add(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.NonFatalError | events.FatalError):
            self.errors.append(str(getattr(event, "info", event)))
            return
        if not isinstance(event, events.ScenarioFinished) or event.label is None:
            return
        self.operations.add(event.label)
        recorder = event.recorder
        self.cases += len(recorder.cases)
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                status = interaction.response.status_code
                self.responses[str(status)] += 1
                self.by_operation[event.label][status] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is not None:
                    failure = check.failure_info.failure
                    key = (check.name, event.label, failure.title)
                    example = _example(recorder.interactions.get(case_id))
                    self.failures.setdefault(key, f"{failure.message.strip()} {example}")

    def by_check(self, checks: tuple[str, ...] = CHECKS) -> dict[str, int]:
        counts = dict.fromkeys(checks, 0)
        for check, _, _ in self.failures:
            counts[check] = counts.get(check, 0) + 1
        return counts


def run(
    app: Litestar,
    key: tuple[uuid.UUID, str],
    *,
    max_examples: int,
    seed: int,
    phases: tuple[str, ...] = PHASES,
    checks: tuple[str, ...] = CHECKS,
) -> Tally:
    key_pk, secret = key
    config = schemathesis_config(
        secret, max_examples=max_examples, seed=seed, phases=phases, checks=checks
    )
    schema = schemathesis.openapi.from_asgi(
        "/schema/openapi.json",
        protect_key(app, key_pk),
        config=config,
        headers={"X-API-Key": secret},
    )
    tally = Tally()
    try:
        for event in from_schema(schema).execute():
            tally.add(event)
    finally:
        asgi.shutdown_lifespans()  # the app's pool, before its database goes
    return tally


def report(tally: Tally, *, verbose: bool = False) -> None:
    if verbose:
        for operation, counts in sorted(tally.by_operation.items()):
            print(f"{operation}: " + ", ".join(f"{s}: {n}" for s, n in sorted(counts.items())))
    for (check, operation, title), message in sorted(tally.failures.items()):
        print(f"FAIL {check}: {operation}: {title}: {' '.join(message.split())}")
    for error in tally.errors:
        print(f"ERROR {error}")
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.responses.items()))
    print(f"operations: {len(tally.operations)}, test cases: {tally.cases}")
    print(f"responses by status: {statuses}")
    print("failures by check: " + ", ".join(f"{c}: {n}" for c, n in tally.by_check().items()))


@contextlib.contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    if url:
        yield url
        return
    with embedded_postgres(folder / "postgres") as embedded:
        apply_migrations(embedded)
        yield embedded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--phases", default=",".join(PHASES), help="of examples, coverage, fuzzing, stateful"
    )
    parser.add_argument(
        "--checks", default=",".join(CHECKS), help="schemathesis check names, comma-separated"
    )
    parser.add_argument(
        "--workers", action="store_true", help="run jobs too (downloads get files to send)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="statuses per operation")
    parser.add_argument("--database-url", default=os.environ.get("OPENAPI_CHECK_DATABASE_URL"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="openapi-check-") as tmp:
        folder = Path(tmp)
        with database(args.database_url, folder) as url:
            env: dict[str, Any] = {
                "DATABASE_URL": url,
                "WORKERS_ENABLED": str(args.workers).lower(),
                "SCHEDULER_ENABLED": "false",
                "UPLOAD_ROOT": str(folder / "uploads"),
                # A key of its own, so the encryption routes work instead of answering 503.
                "AES_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            }
            settings = load_settings(env)
            key = asyncio.run(create_admin_key(url))
            app = create_app(settings)
            tally = run(
                app,
                key,
                max_examples=args.max_examples,
                seed=args.seed,
                phases=tuple(args.phases.split(",")),
                checks=tuple(args.checks.split(",")),
            )
    report(tally, verbose=args.verbose)
    return 1 if tally.failures or tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
