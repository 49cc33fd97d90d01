from __future__ import annotations

import json
import logging

import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.log import JsonFormatter, TextFormatter, configure_logging


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.test", logging.INFO, __file__, 1, "thing_done", (), None)
    record.request_id = "req-1"
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_carry_event_level_request_id_and_extras() -> None:
    line = JsonFormatter().format(_record(count=3, path="/x"))
    entry = json.loads(line)
    assert entry["event"] == "thing_done"
    assert entry["level"] == "info"
    assert entry["request_id"] == "req-1"
    assert entry["count"] == 3
    assert entry["path"] == "/x"
    assert "\n" not in line


def test_text_lines_are_readable() -> None:
    line = TextFormatter().format(_record(count=3))
    assert "INFO" in line
    assert "app.test: thing_done count=3 request_id=req-1" in line


async def test_the_access_line_has_no_query_string(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = await client.get("/health?token=very-secret-token&phone=447400100001")
    access = [r for r in caplog.records if r.name == "app.access"]
    assert len(access) == 1
    line = JsonFormatter().format(access[0])
    assert "very-secret-token" not in line
    assert "447400100001" not in line
    assert json.loads(line)["path"] == "/health"
    assert json.loads(line)["status"] == 200
    assert access[0].request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]


def test_text_lines_cannot_be_forged_through_a_value() -> None:
    line = TextFormatter().format(_record(path="/x\n12:00:00 INFO    app: forged"))
    assert "\n" not in line
    assert "'/x\\n12:00:00 INFO    app: forged'" in line


async def test_a_request_id_with_a_trailing_newline_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc\n"})
    assert response.headers["x-request-id"] != "abc\n"
    assert len(response.headers["x-request-id"]) == 32


async def test_a_vendor_url_with_credentials_reaches_no_log_line(
    httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    # httpx logs every request's full URL at INFO; HLR's batch API takes its key and
    # secret in the query string. The service's logging must not let that line through.
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    try:
        configure_logging("DEBUG", "json")
        httpx_mock.add_response(url="https://batches.example/batch?apikey=k-123&secret=s-456")
        async with httpx.AsyncClient() as vendor:
            await vendor.get("https://batches.example/batch?apikey=k-123&secret=s-456")
        logging.getLogger("app.test").info("after_the_call")
        out = capsys.readouterr().out
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
    assert "after_the_call" in out  # the handler did write what it was given
    assert "s-456" not in out
    assert "k-123" not in out
