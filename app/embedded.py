"""The embedded PostgreSQL (pgserver) that `optimizer serve` starts when no database is set.

pgserver shares one server between the processes that use a data folder: each adds its
pid to a list, and the last one to leave stops the server. `make run` and the CLI's
`api-key` commands can therefore use the database at the same time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE_NAME = "optimizer"
# pgserver's list of the processes using a data folder.
_HANDLES_FILE = ".handle_pids.json"


class EmbeddedUnavailableError(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_dead_users(data_dir: Path) -> None:
    """Drop pids of processes that died without leaving (SIGKILL, OOM).

    Left in the list, a dead pid means the last live user never counts as last, and the
    server it started would outlive every process using it.
    """
    handles = data_dir / _HANDLES_FILE
    with contextlib.suppress(FileNotFoundError, ValueError):
        pids = json.loads(handles.read_text())
        live = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
        if live != pids:
            handles.write_text(json.dumps(live))


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or join) the server whose data lives in `data_dir`; leave it on exit."""
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
    _forget_dead_users(data_dir)
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
        stopped = not (data_dir / "postmaster.pid").exists()
        log.info("embedded_postgres_stopped" if stopped else "embedded_postgres_left_running")
