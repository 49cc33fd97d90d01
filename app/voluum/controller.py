"""The Voluum sync routes at their old paths, the sync results and the OS-version rules."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from app.integrations import requires
from app.openapi import error_response
from app.runtime import Runtime
from app.voluum.schemas import (
    ConversionsSynced,
    OsRules,
    OsRulesInput,
    RangeSyncStarted,
    ReportsSynced,
    SyncAccepted,
    SyncDataInRangeRequest,
    SyncDate,
    SyncResult,
)
from app.voluum.service import VoluumService

NEEDS_VOLUUM = requires("voluum", "VOLUUM_ACCESS_ID and VOLUUM_ACCESS_KEY")

# The single-window routes: their counts when the sync ends within the wait, else 202.
_WAITED = {
    202: ResponseSpec(
        data_container=SyncAccepted,
        description="Still running after VOLUUM_SYNC_WAIT_SECONDS: follow /jobs/{job_id}; "
        "the counts are at /voluum/syncs/{job_id} once it is done.",
        generate_examples=False,
    ),
    502: error_response(502),
}


Synced = TypeVar("Synced", ReportsSynced, ConversionsSynced)


async def _answer(
    voluum: VoluumService, job_id: UUID, shape: type[Synced]
) -> Response[Synced | SyncAccepted]:
    """The sync's counts if it ends within the wait, else 202 with its job."""
    result = await voluum.wait(job_id)
    if result is None:
        return Response(SyncAccepted("accepted", job_id), status_code=HTTP_202_ACCEPTED)
    return Response(shape(job_id=job_id, **result))


def provide_voluum_service(runtime: NamedDependency[Runtime]) -> VoluumService:
    return VoluumService(runtime)


class VoluumSyncController(Controller):
    tags = ("voluum",)
    guards = [NEEDS_VOLUUM]  # noqa: RUF012 - Litestar's own attribute
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "voluum": Provide(provide_voluum_service, sync_to_thread=False)
    }

    @post(
        "/sync-voluum-reports",
        status_code=HTTP_200_OK,
        responses=_WAITED,
        summary="Sync the traffic report into the lists",
    )
    async def sync_reports(
        self, data: JSONBody[SyncDate], voluum: NamedDependency[VoluumService]
    ) -> Response[ReportsSynced | SyncAccepted]:
        """The configured traffic sources' report for `[from_date, to_date)` (whole hours),
        grouped by phone, IP, browser and OS version: every row into the traffic table,
        the lists updated by the OS-version rules (never over a manual or HLR decision).
        `row_counts` are the numbers written per list."""
        job_id = await voluum.start_reports([voluum.window(data)])
        return await _answer(voluum, job_id, ReportsSynced)

    @post(
        "/sync-voluum-reports_for_range",
        status_code=HTTP_200_OK,
        summary="Sync the traffic report, day by day",
    )
    async def sync_reports_for_range(
        self, data: JSONBody[SyncDataInRangeRequest], voluum: NamedDependency[VoluumService]
    ) -> RangeSyncStarted:
        """Each day from `start_day` up to but **not including** `end_day` (end-exclusive,
        as the old route), as one job; answers at once. Days past the month's end continue
        into the next month."""
        job_id = await voluum.start_reports(voluum.days(data))
        return RangeSyncStarted("success", job_id)

    @post(
        "/sync-voluum-conversions",
        status_code=HTTP_200_OK,
        responses=_WAITED,
        summary="Sync conversions and push them to Ongage",
    )
    async def sync_conversions(
        self, data: JSONBody[SyncDate], voluum: NamedDependency[VoluumService]
    ) -> Response[ConversionsSynced | SyncAccepted]:
        """Conversions of `[from_date, to_date)` (by postback time, whole hours), each stored
        once; the new ones of ONGAGE_COUNTRIES pushed to Ongage. `row_counts` count this
        sync's contacts: pushed and failed."""
        job_id = await voluum.start_conversions([voluum.window(data)])
        return await _answer(voluum, job_id, ConversionsSynced)

    @post(
        "/sync-voluum-conversions-for-range",
        status_code=HTTP_200_OK,
        summary="Sync conversions, day by day",
    )
    async def sync_conversions_for_range(
        self, data: JSONBody[SyncDataInRangeRequest], voluum: NamedDependency[VoluumService]
    ) -> RangeSyncStarted:
        """Each day from `start_day` up to but **not including** `end_day`, as one job;
        answers at once (the old route answered `null`)."""
        job_id = await voluum.start_conversions(voluum.days(data))
        return RangeSyncStarted("success", job_id)


class VoluumController(Controller):
    path = "/voluum"
    tags = ("voluum",)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "voluum": Provide(provide_voluum_service, sync_to_thread=False)
    }

    @get("/syncs/{job_id:uuid}", summary="Counts of a finished sync")
    async def sync_result(
        self, job_id: FromPath[UUID], voluum: NamedDependency[VoluumService]
    ) -> SyncResult:
        """What the sync route would have answered, once its job has succeeded."""
        return SyncResult(job_id=job_id, result=await voluum.result(job_id))

    @get("/os-version-rules", summary="The OS-version rules")
    async def rules(self, voluum: NamedDependency[VoluumService]) -> OsRules:
        """The rules in the order they are tried (first match wins)."""
        return OsRules(items=await voluum.rules())

    @put("/os-version-rules", opt={"scope": "admin"}, summary="Replace the OS-version rules")
    async def replace_rules(
        self, data: JSONBody[OsRulesInput], voluum: NamedDependency[VoluumService]
    ) -> OsRules:
        """Replaces every rule; the next sync classifies with them. Lists already decided
        stay as they are until a sync sees their numbers again."""
        return OsRules(items=await voluum.replace_rules(data.items))
