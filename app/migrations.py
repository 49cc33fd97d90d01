"""Schema migrations: yoyo, plain SQL files under `migrations/` that psql can run too."""

from __future__ import annotations

import logging
from pathlib import Path

from yoyo import get_backend, read_migrations

from app.settings import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

log = logging.getLogger(__name__)


def yoyo_url(database_url: str) -> str:
    """yoyo picks its driver from the scheme; psycopg 3 is the one installed."""
    scheme, _, rest = database_url.partition("://")
    if scheme not in ("postgres", "postgresql"):
        raise ValueError("not a PostgreSQL URL")
    return f"postgresql+psycopg://{rest}"


def expected_migrations(directory: Path = MIGRATIONS_DIR) -> frozenset[str]:
    """The ids of the migrations this code needs, read from the files."""
    return frozenset(
        path.name.removesuffix(".sql")
        for path in directory.glob("*.sql")
        if not path.name.endswith(".rollback.sql")
    )


def apply_migrations(database_url: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is pending, under yoyo's lock (safe with several containers starting)."""
    backend = get_backend(yoyo_url(database_url))
    try:
        migrations = read_migrations(str(directory))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
    finally:
        # Otherwise its connection stays open for the life of `serve`.
        backend.connection.close()
    applied = [m.id for m in pending]
    log.info("migrations_applied", extra={"count": len(applied)})
    return applied
