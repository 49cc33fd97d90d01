"""The embedded PostgreSQL (pgserver) that `optimizer serve` starts when no database is set."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE_NAME = "optimizer"


class EmbeddedUnavailableError(RuntimeError):
    pass


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or join) the server whose data lives in `data_dir`; stop it on exit."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
            warnings.simplefilter("ignore")
            import pgserver  # an optional extra, absent from the container image
    except ImportError as exc:
        raise EmbeddedUnavailableError(
            "no database configured and the embedded PostgreSQL is not installed: "
            "set DATABASE_URL (or DB_HOST/DB_NAME/DB_USER/DB_PASSWORD), "
            "or install the 'embedded' extra"
        ) from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        exists = server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 - a constant
        )
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        url = server.get_uri(DATABASE_NAME)
        # Trust authentication over a local socket: the URL holds no secret, and it is
        # what an operator needs to reach the database with psql.
        log.info("embedded_postgres_started", extra={"url": url})
        yield url
    finally:
        server.cleanup()
        log.info("embedded_postgres_stopped")
