"""Smart cleaning at the old paths: find, upload, list, process; download, archive and
delete come from the shared lifecycle."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.db import acquire
from app.files.controller import FileKind, upload_chunks
from app.files.schemas import FileUpload, ProcessingStarted
from app.files.service import store_upload
from app.files.sniff import check_csv_name
from app.offer_search.controller import offer_list_route, offer_search_service
from app.offer_search.schemas import OfferFileItem, OffersChoice
from app.offer_search.window import parse_search
from app.openapi import error_response
from app.runtime import Runtime
from app.smart_cleaning.jobs import KIND
from app.smart_cleaning.repository import SmartCleaningRepository
from app.smart_cleaning.service import SmartCleaningService

TAG = "smart_cleaning"

SMART_CLEANING = FileKind(
    name=KIND,
    tag=TAG,
    upload_path=None,  # below: it also needs offers
    list_path=None,  # offer_list_route: the old list has the offers
    download_path="/{file_id:uuid}/download-smart-cleaning-files-voluum",
    archive_path="/{file_id:uuid}/archive-smart-cleaning-files-voluum",
    delete_path="/{file_id:uuid}/delete-smart-cleaning-files-voluum",
    download_name="processed_voluum_click_{name}",
)
LIST_ROUTE = offer_list_route(KIND, "/smart-cleaning-files-voluum", TAG)


def smart_cleaning_service(conn: asyncpg.Connection, runtime: Runtime) -> SmartCleaningService:
    return SmartCleaningService(
        offer_search_service(conn, runtime),
        SmartCleaningRepository(conn, runtime.queries),
        runtime.storage,
        max_attempts=runtime.settings.jobs.max_attempts,
    )


def provide_smart_cleaning_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> SmartCleaningService:
    return smart_cleaning_service(db_connection, runtime)


class SmartCleaningController(Controller):
    tags = (TAG,)

    @post(
        "/find-smart-cleaning-voluum",
        status_code=HTTP_200_OK,
        dependencies={"smart": Provide(provide_smart_cleaning_service, sync_to_thread=False)},
        summary="Make a file of a country's clickers",
        responses={404: error_response(404, "The country has no clickers, or no offers.")},
    )
    async def find(
        self,
        smart: NamedDependency[SmartCleaningService],
        country_code: FromQuery[str | None] = None,
        from_date: FromQuery[str | None] = None,
        to_date: FromQuery[str | None] = None,
    ) -> OfferFileItem:
        """The whitelist numbers of `country_code` (listed from `from_date` to `to_date`,
        whole UTC days, when given) become a file `number,timestamp`, named
        `{CC}_{date}.csv`, with the offers of the country's conversions in the window.
        Answers the created file in the list's shape (the old route answered null)."""
        return await smart.find(parse_search(country_code, from_date, to_date))

    @post(
        "/upload-smart-cleaning-voluum",
        opt={"upload": True},
        status_code=HTTP_200_OK,
        summary="Upload a file of numbers to smart-clean",
        responses={404: error_response(404, "No offers in the conversions at all.")},
    )
    async def upload(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        runtime: NamedDependency[Runtime],
    ) -> OfferFileItem:
        """A `.csv` of any columns: its phone column is found as cleaning finds it, each
        number counts in its own country. Every offer of the conversions to choose from."""
        try:
            check_csv_name(data.file.filename)
            # Connections only around the queries, not while the upload is stored.
            async with acquire(runtime.connections) as conn:
                offers = await smart_cleaning_service(conn, runtime).upload_offers()
            name = data.file.filename or "upload.csv"
            stored = await store_upload(runtime.storage, KIND, name, upload_chunks(data))
        finally:
            await data.file.close()
        try:
            async with acquire(runtime.connections) as conn:
                return await smart_cleaning_service(conn, runtime).record_upload(stored, offers)
        except BaseException:
            await runtime.storage.delete(stored.key)
            raise

    @post(
        "/{file_id:uuid}/process-smart-cleaning-files-voluum",
        status_code=HTTP_200_OK,
        dependencies={"smart": Provide(provide_smart_cleaning_service, sync_to_thread=False)},
        summary="Smart-clean a file for chosen offers",
    )
    async def process(
        self,
        file_id: FromPath[UUID],
        data: JSONBody[OffersChoice],
        smart: NamedDependency[SmartCleaningService],
        filter_regs: FromQuery[bool] = False,
        filter_last_24h: FromQuery[bool] = False,
    ) -> ProcessingStarted:
        """Removes the numbers that deposited (FTD) on the chosen offers in the file's
        country (an upload: each number's own), with `filter_regs` those that registered,
        with `filter_last_24h` those with a live event on the offers in the last 24 hours.
        From uploaded, failed or processed; 409 while another file processes."""
        return await smart.process(
            file_id, data.offers, filter_regs=filter_regs, filter_last_24h=filter_last_24h
        )
