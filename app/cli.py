"""The `optimizer` command: serve, migrate, and the operator commands later domains add."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType

import psycopg

from app.embedded import EmbeddedUnavailableError, embedded_postgres
from app.log import configure_logging
from app.migrations import apply_migrations
from app.settings import Settings, SettingsError, load_settings
from app.sql import QueryLoadError

log = logging.getLogger("app.cli")


class _Terminated(Exception):
    """SIGTERM, turned into an exception so that every `finally` runs (the database stops)."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise _Terminated


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[Settings]:
    """The configured database, or the embedded one (started here, stopped on exit)."""
    if settings.database.url is not None:
        yield settings
        return
    with embedded_postgres(settings.database.embedded_dir) as url:
        yield settings.with_database_url(url)


def _serve(settings: Settings, _args: argparse.Namespace) -> None:
    # Imported here: only this command needs the server and the application.
    import uvicorn

    from app.main import create_app

    with _database(settings) as settings:
        assert settings.database.url is not None
        if settings.server.migrate_on_start:
            apply_migrations(settings.database.url.reveal())
        app = create_app(settings)
        config = uvicorn.Config(
            app,
            host=settings.server.host,
            port=settings.server.port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            timeout_graceful_shutdown=10,
        )
        log.info("serving", extra={"host": settings.server.host, "port": settings.server.port})
        uvicorn.Server(config).run()


def _migrate(settings: Settings, _args: argparse.Namespace) -> None:
    with _database(settings) as settings:
        assert settings.database.url is not None
        applied = apply_migrations(settings.database.url.reveal())
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))


COMMANDS: dict[str, tuple[str, Callable[[Settings, argparse.Namespace], None]]] = {
    "serve": ("serve the API (embedded PostgreSQL when no database is configured)", _serve),
    "migrate": ("apply pending schema migrations", _migrate),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="optimizer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        commands.add_parser(name, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"configuration error: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings.server.log_level, settings.server.log_format)
    # uvicorn stops gracefully on SIGTERM and then re-raises it; with this handler the
    # re-raised signal unwinds the stack instead of killing the process outright.
    signal.signal(signal.SIGTERM, _on_sigterm)
    _, command = COMMANDS[args.command]
    try:
        command(settings, args)
    except (_Terminated, KeyboardInterrupt):
        log.info("stopped")
    except (EmbeddedUnavailableError, QueryLoadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except psycopg.OperationalError as exc:
        # From the migrations: the database is unreachable or refuses the credentials.
        print(f"error: cannot reach the database: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
