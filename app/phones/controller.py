"""`/find_records` (the old route, now parameterized) and a lookup of one number."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.errors import BadRequestError
from app.phones.normalize import normalize_phone
from app.phones.repository import PhoneRepository
from app.phones.schemas import FindRecords, FoundRecords, PhoneStatus
from app.sql import SqlQueries


def _normalized(raw: str, request: Request[Any, Any, State]) -> str:
    found = normalize_phone(raw, request.app.state.settings.phones.default_region)
    if found.phone is None:
        raise BadRequestError(f"Not a phone number ({found.reason})")
    return found.phone


class PhoneController(Controller):
    tags = ("phones",)

    @post(
        "/find_records",
        status_code=HTTP_200_OK,
        opt={"scope": "read"},
        summary="Traffic of a phone",
    )
    async def find_records(
        self,
        data: JSONBody[FindRecords],
        request: Request[Any, Any, State],
        db_connection: NamedDependency[asyncpg.Connection],
        sql: NamedDependency[SqlQueries],
    ) -> FoundRecords:
        """The Voluum traffic rows of one phone (any format), newest first (at most 10,000)."""
        phone = _normalized(data.phone_number, request)
        return FoundRecords(
            results=await PhoneRepository(db_connection, sql).traffic_records(phone)
        )

    @get("/phones/{phone:str}", summary="Where a number stands")
    async def lookup(
        self,
        phone: FromPath[str],
        request: Request[Any, Any, State],
        db_connection: NamedDependency[asyncpg.Connection],
        sql: NamedDependency[SqlQueries],
    ) -> PhoneStatus:
        """Its list (and who decided, why, since when), whether it was seen, its conversions."""
        return await PhoneRepository(db_connection, sql).status(_normalized(phone, request))
