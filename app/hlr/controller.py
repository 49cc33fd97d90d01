"""HLR at the old paths (`/{file_id}/hlr`, its downloads), and the risky operators."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.errors import BadRequestError
from app.files.controller import csv_download, provide_file_service
from app.files.schemas import FileUpload
from app.files.service import FileService
from app.hlr.repository import HlrRepository, RiskyOperatorRepository
from app.hlr.schemas import (
    HlrStarted,
    HlrView,
    RiskyOperators,
    RiskyOperatorsReplace,
    RiskyOperatorsReplaced,
)
from app.hlr.service import HlrService, RiskyOperatorService, parse_operator_list
from app.integrations import requires
from app.openapi import error_response
from app.runtime import Runtime

NEEDS_HLR = requires("hlr", "HLRLOOKUP_APIKEY and HLRLOOKUP_SECRET")
# A run lasts up to hours, and each restart of its container takes an attempt: a run that
# ran out of them would leave its paid batch behind, and a new run would pay again.
HLR_MIN_ATTEMPTS = 10
# A list of a few hundred names is a few kilobytes; more is not such a list.
MAX_LIST_BYTES = 1_000_000


def provide_hlr_service(
    files: NamedDependency[FileService],
    db_connection: NamedDependency[asyncpg.Connection],
    runtime: NamedDependency[Runtime],
) -> HlrService:
    return HlrService(
        files,
        HlrRepository(db_connection, runtime.queries),
        runtime.storage,
        max_attempts=max(runtime.settings.jobs.max_attempts, HLR_MIN_ATTEMPTS),
    )


def provide_risky_operator_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> RiskyOperatorService:
    return RiskyOperatorService(RiskyOperatorRepository(db_connection, runtime.queries))


class HlrController(Controller):
    tags = ("hlr",)
    guards = [NEEDS_HLR]  # noqa: RUF012 - Litestar's own attribute
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "files": Provide(provide_file_service, sync_to_thread=False),
        "hlr": Provide(provide_hlr_service, sync_to_thread=False),
    }

    @post(
        "/{file_id:uuid}/hlr",
        status_code=HTTP_200_OK,
        summary="Validate a cleaned file's numbers by HLR",
        responses={409: error_response(409, "Another file is already running HLR.")},
    )
    async def start(self, file_id: FromPath[UUID], hlr: NamedDependency[HlrService]) -> HlrStarted:
        """Queues the HLR job (a processed file, HLR not active); follow it here or at
        /jobs/{job_id}/events. Numbers answered within HLR_CACHE_DAYS are not sent again."""
        return await hlr.start(file_id)

    @get("/{file_id:uuid}/hlr", summary="HLR progress and results of a file")
    async def view(self, file_id: FromPath[UUID], hlr: NamedDependency[HlrService]) -> HlrView:
        """hlr_num_complete of hlr_num_items (reused answers included), what was reused,
        sent and spent, and the numbers per outcome."""
        return await hlr.view(file_id)

    @get("/{file_id:uuid}/hlr/download", summary="The live numbers")
    async def download(self, file_id: FromPath[UUID], hlr: NamedDependency[HlrService]) -> Stream:
        """Header `phone_number`: the live numbers on no risky network."""
        name, stream = await hlr.download(file_id, raw=False)
        return csv_download(stream, name)

    @get("/{file_id:uuid}/hlr/raw", summary="The provider's results, as they came")
    async def raw(self, file_id: FromPath[UUID], hlr: NamedDependency[HlrService]) -> Stream:
        """The results CSV of this run's lookups (dotted headers, the input first)."""
        name, stream = await hlr.download(file_id, raw=True)
        return csv_download(stream, name)


class RiskyOperatorController(Controller):
    path = "/hlr/risky-operators"
    tags = ("hlr",)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "operators": Provide(provide_risky_operator_service, sync_to_thread=False)
    }

    @get("/", summary="The risky operators")
    async def list_operators(
        self, operators: NamedDependency[RiskyOperatorService]
    ) -> RiskyOperators:
        """Networks whose live numbers are blacklisted (HLR_RISKY_NETWORK)."""
        return await operators.listed()

    @put("/", opt={"scope": "admin"}, summary="Replace the risky operators")
    async def replace(
        self,
        data: JSONBody[RiskyOperatorsReplace],
        operators: NamedDependency[RiskyOperatorService],
    ) -> RiskyOperatorsReplaced:
        """The whole list at once; names match whatever their case, spacing or punctuation."""
        return RiskyOperatorsReplaced(ok=True, count=await operators.replace(data.names))

    @post(
        "/upload",
        opt={"scope": "admin", "upload": True},
        status_code=HTTP_200_OK,
        summary="Replace the risky operators from a file",
    )
    async def upload(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        operators: NamedDependency[RiskyOperatorService],
    ) -> RiskyOperatorsReplaced:
        """Multipart field `file`: a .json list of names (or the old
        `{"risky_networks": [...]}`), or a CSV whose first column holds the names."""
        try:
            content = await data.file.read(MAX_LIST_BYTES + 1)
        finally:
            await data.file.close()
        if len(content) > MAX_LIST_BYTES:
            raise BadRequestError(f"A list of risky operators is at most {MAX_LIST_BYTES} bytes")
        names = parse_operator_list(content, data.file.filename or "")
        return RiskyOperatorsReplaced(ok=True, count=await operators.replace(names))
