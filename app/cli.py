"""The `optimizer` command: serve, migrate, and API-key management."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

import asyncpg
import psycopg

from app.auth.repository import ApiKeyRepository
from app.auth.schemas import SCOPE_RANK, CreatedApiKey
from app.auth.service import ApiKeyService
from app.db import init_connection
from app.embedded import EmbeddedUnavailableError, embedded_postgres
from app.errors import AppError
from app.log import configure_logging
from app.migrations import apply_migrations
from app.settings import Settings, SettingsError, load_settings
from app.sql import QueryLoadError, SqlQueries
from app.storage import StoredObject

if TYPE_CHECKING:
    from app.hlr.service import RiskyOperatorService

log = logging.getLogger("app.cli")

T = TypeVar("T")
S = TypeVar("S")


class _Terminated(Exception):
    """SIGTERM, turned into an exception so that every `finally` runs (the database stops)."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    # Once is enough: a second SIGTERM must not interrupt the shutdown it started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated


def _say(line: str = "") -> None:
    """Command output for the operator (not a log line)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[str]:
    """The configured database's URL, or the embedded one's (started here, stopped on exit)."""
    if settings.database.url is not None:
        yield settings.database.url.reveal()
        return
    with embedded_postgres(settings.database.embedded_dir) as url:
        yield url


def _with_service(
    url: str,
    make: Callable[[asyncpg.Connection, SqlQueries], S],
    action: Callable[[S], Awaitable[T]],
) -> T:
    """Run `action` with the service `make` builds on one connection to `url`."""

    async def run() -> T:
        from app.main import load_queries  # the whole application: only these commands need it

        sql = load_queries()
        conn = await asyncpg.connect(url)
        try:
            await init_connection(conn)
            return await action(make(conn, sql))
        finally:
            await conn.close()

    return asyncio.run(run())


def _with_api_keys(url: str, action: Callable[[ApiKeyService], Awaitable[T]]) -> T:
    """Run `action` with an API-key service on one connection to `url`."""
    return _with_service(url, lambda conn, sql: ApiKeyService(ApiKeyRepository(conn, sql)), action)


def _with_risky_operators(url: str, action: Callable[[RiskyOperatorService], Awaitable[T]]) -> T:
    from app.hlr.repository import RiskyOperatorRepository
    from app.hlr.service import RiskyOperatorService

    def make(conn: asyncpg.Connection, sql: SqlQueries) -> RiskyOperatorService:
        return RiskyOperatorService(RiskyOperatorRepository(conn, sql))

    return _with_service(url, make, action)


def _hand_over_first_key(created: CreatedApiKey, settings: Settings) -> None:
    """Show the first key on a terminal; elsewhere (a container, whose output is its log)
    write it to a file only its owner can read, and say where."""
    port = settings.server.port
    _say("=" * 72)
    if sys.stdout.isatty():
        _say("A first API key (admin scope) was created. It is shown only this once:")
        _say()
        _say(f"    {created.key}")
        _say()
        _say(f'Try it:  curl -H "X-API-Key: {created.key}" http://localhost:{port}/get-metrics')
    else:
        path = settings.server.first_key_file
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(created.key + "\n")
        _say(f"A first API key (admin scope) was created and written to {path}")
        _say(f'Try it:  curl -H "X-API-Key: $(cat {path})" http://localhost:{port}/get-metrics')
    _say("Make named keys with `optimizer api-key create`, then revoke this one.")
    _say("=" * 72)


def _serve(settings: Settings, _args: argparse.Namespace) -> None:
    # Imported here: only this command needs the server and the application.
    import uvicorn

    from app.main import create_app

    with _database(settings) as url:
        if settings.server.migrate_on_start:
            apply_migrations(url)
        first = _with_api_keys(url, lambda service: service.create_first())
        if first is not None:
            _hand_over_first_key(first, settings)
        app = create_app(settings.with_database_url(url))
        config = uvicorn.Config(
            app,
            host=settings.server.host,
            port=settings.server.port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            # Within Docker's default 10 s between SIGTERM and SIGKILL, with the pool's
            # and the background loops' own timeouts after it.
            timeout_graceful_shutdown=4,
        )
        log.info("serving", extra={"host": settings.server.host, "port": settings.server.port})
        uvicorn.Server(config).run()


def _migrate(settings: Settings, _args: argparse.Namespace) -> None:
    with _database(settings) as url:
        applied = apply_migrations(url)
    _say(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))


def _key_create(settings: Settings, args: argparse.Namespace) -> None:
    with _database(settings) as url:
        created = _with_api_keys(url, lambda service: service.create(args.name, args.scope))
    _say(f"created API key {created.name!r} with scope {created.scope}; it is shown only once:")
    _say(created.key)


def _key_list(settings: Settings, _args: argparse.Namespace) -> None:
    with _database(settings) as url:
        keys = _with_api_keys(url, lambda service: service.list())
    _say(f"{'NAME':<24} {'SCOPE':<6} {'CREATED':<20} {'LAST USED':<20} REVOKED")
    for key in keys:
        _say(
            f"{key.name:<24} {key.scope:<6} {_when(key.created_at):<20} "
            f"{_when(key.last_used_at):<20} {_when(key.revoked_at)}"
        )


def _key_revoke(settings: Settings, args: argparse.Namespace) -> None:
    with _database(settings) as url:
        revoked = _with_api_keys(url, lambda service: service.revoke_by_name(args.name))
    _say(f"revoked API key {revoked.name!r}")


def _risky_list(settings: Settings, _args: argparse.Namespace) -> None:
    with _database(settings) as url:
        listed = _with_risky_operators(url, lambda service: service.listed())
    for operator in listed.items:
        _say(operator.name)
    _say(f"{len(listed.items)} risky operator(s)")


def _risky_load(settings: Settings, args: argparse.Namespace) -> None:
    from app.hlr.service import parse_operator_list

    path: Path = args.file
    names = parse_operator_list(path.read_bytes(), path.name)
    with _database(settings) as url:
        count = _with_risky_operators(url, lambda service: service.replace(names))
    _say(f"risky operators replaced: {count} from {len(names)} name(s) in {path}")


def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from app.demo import load_demo
    from app.main import load_queries

    async def run(url: str) -> dict[str, int]:
        conn = await asyncpg.connect(url)
        try:
            await init_connection(conn)
            return await load_demo(conn, load_queries(), args.out, args.rows)
        finally:
            await conn.close()

    with _database(settings) as url:
        added = asyncio.run(run(url))
    _say("demo lists: " + ", ".join(f"{name} +{count}" for name, count in added.items()))
    _say(f"sample file: {args.out} ({args.rows} rows: mixed formats, repeats, junk)")
    base = f"http://localhost:{settings.server.port}"
    _say("try it (with your key in $KEY):")
    _say(f'  curl -H "X-API-Key: $KEY" -F file=@{args.out} {base}/upload')
    _say(
        '  curl -H "X-API-Key: $KEY" -X POST '
        f'"{base}/<id>/process?include_blacklist=true&include_monitor=true"'
    )
    _say(f'  curl -H "X-API-Key: $KEY" {base}/<id>/download')


def _orphans(settings: Settings, args: argparse.Namespace) -> None:
    from app.files.orphans import find_orphans, remove_orphans
    from app.files.repository import FileRepository
    from app.main import load_queries
    from app.storage import open_storage

    async def run(url: str) -> list[StoredObject]:
        conn = await asyncpg.connect(url)
        try:
            await init_connection(conn)
            async with open_storage(settings) as storage:
                grace = timedelta(minutes=args.grace_minutes)
                found = await find_orphans(
                    storage, FileRepository(conn, load_queries()), grace=grace
                )
                if args.delete:
                    await remove_orphans(storage, found)
                return found
        finally:
            await conn.close()

    with _database(settings) as url:
        found = asyncio.run(run(url))
    for orphan in found:
        _say(f"{_when(orphan.modified):<20} {orphan.size:>12}  {orphan.key}")
    verb = "removed" if args.delete else "found (remove them with --delete)"
    _say(f"{len(found)} stored object(s) that no file points at {verb}")


def _when(moment: object) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


Command = Callable[[Settings, argparse.Namespace], None]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="optimizer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve", help="migrate and serve the API (embedded PostgreSQL without a database)"
    ).set_defaults(run=_serve)
    commands.add_parser("migrate", help="apply pending schema migrations").set_defaults(
        run=_migrate
    )
    demo = commands.add_parser("demo-data", help="load demo lists and write a messy sample CSV")
    demo.add_argument("--out", type=Path, default=Path("demo/messy_leads.csv"))
    demo.add_argument("--rows", type=int, default=1000)
    demo.set_defaults(run=_demo)
    storage = commands.add_parser("storage", help="look after the stored files")
    storage_commands = storage.add_subparsers(dest="storage_command", required=True)
    orphans = storage_commands.add_parser(
        "orphans", help="list (or --delete) stored objects that no file points at"
    )
    orphans.add_argument("--delete", action="store_true", help="remove them too")
    orphans.add_argument(
        "--grace-minutes",
        type=int,
        default=60,
        help="leave younger objects alone: they may belong to an upload or job in progress",
    )
    orphans.set_defaults(run=_orphans)
    hlr = commands.add_parser("hlr", help="HLR lookups: the risky operators")
    hlr_commands = hlr.add_subparsers(dest="hlr_command", required=True)
    risky = hlr_commands.add_parser(
        "risky-operators", help="networks whose live numbers are blacklisted"
    )
    risky_commands = risky.add_subparsers(dest="risky_command", required=True)
    risky_commands.add_parser("list", help="list them").set_defaults(run=_risky_list)
    load = risky_commands.add_parser(
        "load", help='replace them from a .json list (or {"risky_networks": [...]}) or a CSV'
    )
    load.add_argument("file", type=Path)
    load.set_defaults(run=_risky_load)
    keys = commands.add_parser("api-key", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="key_command", required=True)
    create = key_commands.add_parser("create", help="create a key; prints it as the last line")
    create.add_argument("--name", required=True, help="a unique name, such as 'frontend'")
    create.add_argument(
        "--scope", choices=sorted(SCOPE_RANK, key=SCOPE_RANK.__getitem__), default="read"
    )
    create.set_defaults(run=_key_create)
    key_commands.add_parser("list", help="list keys (never the keys themselves)").set_defaults(
        run=_key_list
    )
    revoke = key_commands.add_parser("revoke", help="revoke the live key with this name")
    revoke.add_argument("name")
    revoke.set_defaults(run=_key_revoke)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"configuration error: {problem}\n")
        return 2
    configure_logging(settings.server.log_level, settings.server.log_format)
    # uvicorn stops gracefully on SIGTERM and then re-raises it; with this handler the
    # re-raised signal unwinds the stack instead of killing the process outright.
    signal.signal(signal.SIGTERM, _on_sigterm)
    command: Command = args.run
    try:
        command(settings, args)
    except (_Terminated, KeyboardInterrupt):
        log.info("stopped")
    except (EmbeddedUnavailableError, QueryLoadError, AppError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except (psycopg.OperationalError, OSError, asyncpg.PostgresError) as exc:
        sys.stderr.write(f"error: cannot use the database: {exc}".strip() + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
