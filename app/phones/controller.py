"""`/find_records` (the old route, now parameterized) and a lookup of one number."""

from __future__ import annotations

import asyncpg
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.phones.repository import PhoneRepository
from app.phones.schemas import FindRecords, FoundRecords, PhoneStatus
from app.phones.service import PhoneService
from app.runtime import Runtime


def provide_phone_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> PhoneService:
    return PhoneService(
        PhoneRepository(db_connection, runtime.queries), runtime.settings.phones.default_region
    )


class PhoneController(Controller):
    tags = ("phones",)
    dependencies = {"phones": Provide(provide_phone_service, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/find_records",
        status_code=HTTP_200_OK,
        opt={"scope": "read"},
        summary="Traffic of a phone",
    )
    async def find_records(
        self, data: JSONBody[FindRecords], phones: NamedDependency[PhoneService]
    ) -> FoundRecords:
        """The Voluum traffic rows of one phone (any format), newest first (at most 10,000)."""
        return FoundRecords(results=await phones.traffic(data.phone_number))

    @get("/phones/{phone:str}", summary="Where a number stands")
    async def lookup(
        self, phone: FromPath[str], phones: NamedDependency[PhoneService]
    ) -> PhoneStatus:
        """Its list (and who decided, why, since when), whether it was seen, its conversions."""
        return await phones.status(phone)
