"""The one error shape, for domain errors, validation errors and the unexpected."""

from __future__ import annotations

import logging

import asyncpg
import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import JSONBody

from app.errors import ConflictError, NotFoundError, exception_handlers
from tests.conftest import serve_in_loop


class FileGone(NotFoundError):
    detail = "File not found"


class Item(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    count: int


@get("/gone")
async def gone() -> None:
    raise FileGone


@get("/busy")
async def busy() -> None:
    raise ConflictError("Another file is already processing")


@post("/items")
async def create_item(data: JSONBody[Item]) -> Item:
    return data


@get("/boom")
async def boom() -> None:
    raise RuntimeError("password=hunter2 in an internal message")


@get("/db-boom")
async def db_boom() -> None:
    raise asyncpg.exceptions.StringDataRightTruncationError(
        "value too long; DETAIL: Failing row contains (447400100001)"
    )


@get("/nul")
async def nul() -> None:
    raise asyncpg.exceptions.UntranslatableCharacterError(
        "unsupported Unicode escape sequence; DETAIL: \\u0000 cannot be converted to text."
    )


def _app() -> Litestar:
    return Litestar(
        route_handlers=[gone, busy, create_item, boom, db_boom, nul],
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        logging_config=None,
    )


async def test_domain_errors_keep_the_old_detail_with_their_real_status() -> None:
    async with serve_in_loop(_app()) as client:
        response = await client.get("/gone")
        assert response.status_code == 404
        assert response.json()["detail"] == "File not found"
        assert response.json()["code"] == "not_found"
        conflict = await client.get("/busy")
        assert conflict.status_code == 409
        assert conflict.json()["detail"] == "Another file is already processing"


async def test_validation_errors_share_the_shape_and_list_the_fields() -> None:
    async with serve_in_loop(_app()) as client:
        response = await client.post("/items", json={"name": "a", "count": "many"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["detail"]
    assert body["errors"]
    assert "request_id" in body


async def test_text_the_database_cannot_store_is_the_requests_fault() -> None:
    async with serve_in_loop(_app()) as client:
        response = await client.get("/nul")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The request holds text that cannot be stored (a NUL or other invalid character)"
    )


async def test_a_missing_body_is_named_as_such() -> None:
    async with serve_in_loop(_app()) as client:
        response = await client.post("/items", content=b"")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"message": "A JSON request body is required", "key": "data", "source": "body"}
    ]


async def test_the_unexpected_is_a_plain_500_with_the_cause_only_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        async with serve_in_loop(_app()) as client:
            response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal Server Error"
    assert "hunter2" not in response.text
    assert any(r.message == "unhandled_error" for r in caplog.records)


async def test_a_database_error_is_logged_without_the_row_it_quotes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        async with serve_in_loop(_app()) as client:
            response = await client.get("/db-boom")
    assert response.status_code == 500
    assert "447400100001" not in response.text
    records = [r for r in caplog.records if r.message == "unhandled_database_error"]
    assert len(records) == 1
    assert records[0].sqlstate == "22001"  # type: ignore[attr-defined]
    assert "447400100001" not in str(vars(records[0]))
