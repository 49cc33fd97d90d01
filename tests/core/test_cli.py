"""`optimizer serve` as an operator runs it: a real process, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

OPTIMIZER = str(Path(sys.executable).with_name("optimizer"))
STARTUP_TIMEOUT = 90.0
SHUTDOWN_LIMIT = 15.0


def _environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DATABASE_URL"))}
    env.update({"LOG_FORMAT": "json", "HOST": "127.0.0.1", **overrides})
    return env


@contextmanager
def running(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("wb") as log:
        process = subprocess.Popen([OPTIMIZER, "serve"], env=env, stdout=log, stderr=log)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], port: int, log_path: Path) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"not ready after {STARTUP_TIMEOUT}s:\n{log_path.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=SHUTDOWN_LIMIT)
    return time.monotonic() - started


def _first_key(path: Path) -> str:
    return path.read_text().strip()


def test_a_new_user_runs_serve_and_calls_the_api_with_the_printed_key(
    tmp_path: Path, unused_tcp_port: int
) -> None:
    data_dir = tmp_path / "pg"
    key_file = tmp_path / "first-admin-key"
    env = _environment(
        PORT=str(unused_tcp_port), EMBEDDED_DB_DIR=str(data_dir), FIRST_KEY_FILE=str(key_file)
    )
    log_path = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{unused_tcp_port}"
    with running(env, log_path) as process:
        ready = _wait_ready(process, unused_tcp_port, log_path)
        assert ready.json()["status"] == "ready"
        # Output is not a terminal here (as in a container): the key goes to a private file.
        key = _first_key(key_file)
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert httpx.get(f"{base}/get-metrics", timeout=5).status_code == 401
        metrics = httpx.get(f"{base}/get-metrics", headers={"X-API-Key": key}, timeout=5)
        assert metrics.status_code == 200
        assert metrics.json()["blacklist"] == [0, 0, 0]
        assert _stop(process) < SHUTDOWN_LIMIT
        assert process.returncode == 0
    # The output says where the key is, and never holds the key itself.
    log = log_path.read_text()
    assert f"written to {key_file}" in log
    assert key not in log
    # The embedded server went down with the service: no postmaster left behind.
    assert not (data_dir / "postmaster.pid").exists()
    assert '"event":"embedded_postgres_stopped"' in log
    # A second start on the same data finds a key already there and makes none.
    key_file.unlink()
    with running(env, log_path) as process:
        _wait_ready(process, unused_tcp_port, log_path)
        _stop(process)
    assert "A first API key" not in log_path.read_text()
    assert not key_file.exists()


def test_a_killed_server_does_not_leave_the_embedded_database_behind(
    tmp_path: Path, unused_tcp_port: int
) -> None:
    data_dir = tmp_path / "pg"
    env = _environment(PORT=str(unused_tcp_port), EMBEDDED_DB_DIR=str(data_dir))
    log_path = tmp_path / "serve.log"
    with running(env, log_path) as process:
        _wait_ready(process, unused_tcp_port, log_path)
        process.kill()  # SIGKILL: no cleanup, PostgreSQL stays up, its pid stays listed
        process.wait()
    assert (data_dir / "postmaster.pid").exists()
    # The next start joins the orphan; its own stop must stop the server too.
    with running(env, log_path) as process:
        _wait_ready(process, unused_tcp_port, log_path)
        assert _stop(process) < SHUTDOWN_LIMIT
    assert not (data_dir / "postmaster.pid").exists()


@pytest.fixture
def forget_committed_rows(database_url: str) -> Iterator[None]:
    """Commands that commit to the shared test database (keys; the scheduled jobs of a
    real `serve`): delete what they left afterwards."""
    yield
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM api_keys")
        conn.execute("DELETE FROM schedule_runs")
        conn.execute("DELETE FROM jobs")


@pytest.mark.usefixtures("forget_committed_rows")
def test_serve_with_database_url_and_a_bad_aes_key(
    tmp_path: Path, unused_tcp_port: int, database_url: str
) -> None:
    bad_key = "clearly-not-thirty-two-bytes"
    env = _environment(PORT=str(unused_tcp_port), DATABASE_URL=database_url, AES_KEY=bad_key)
    log_path = tmp_path / "serve.log"
    with running(env, log_path) as process:
        _wait_ready(process, unused_tcp_port, log_path)
        assert _stop(process) < SHUTDOWN_LIMIT
    log = log_path.read_text()
    assert "encryption disabled: AES_KEY must be url-safe base64 of 32 bytes" in log
    assert bad_key not in log
    assert "embedded_postgres_started" not in log


def test_a_broken_setting_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [OPTIMIZER, "serve"],
        env=_environment(PORT="eighty", DB_POOL_MAX="none"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "configuration error: PORT must be an integer, got 'eighty'",
        "configuration error: DB_POOL_MAX must be an integer, got 'none'",
    ]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPTIMIZER, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.usefixtures("forget_committed_rows")
def test_api_keys_from_the_command_line(database_url: str, unused_tcp_port: int) -> None:
    env = _environment(DATABASE_URL=database_url)
    name = f"cli-{os.getpid()}-{unused_tcp_port}"
    created = _cli("api-key", "create", "--name", name, "--scope", "write", env=env)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("opt_")

    listed = _cli("api-key", "list", env=env)
    assert listed.returncode == 0
    row = next(line for line in listed.stdout.splitlines() if line.startswith(name))
    assert " write " in row
    assert key not in listed.stdout

    duplicate = _cli("api-key", "create", "--name", name, env=env)
    assert duplicate.returncode == 1
    assert "already has this name" in duplicate.stderr

    revoked = _cli("api-key", "revoke", name, env=env)
    assert revoked.returncode == 0
    assert _cli("api-key", "revoke", name, env=env).returncode == 1
