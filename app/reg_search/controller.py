"""REG search at the old paths (`/reg-search/...`): search, list, process; download,
archive and delete come from the shared lifecycle."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.files.controller import FileKind
from app.files.schemas import ProcessingStarted
from app.offer_search.controller import offer_list_route, offer_search_service
from app.offer_search.schemas import OfferFileItem, OffersChoice
from app.offer_search.window import parse_search
from app.openapi import error_response
from app.reg_search.jobs import KIND
from app.reg_search.service import RegSearchService
from app.runtime import Runtime

TAG = "reg_search"

REG_SEARCH = FileKind(
    name=KIND,
    tag=TAG,
    upload_path=None,  # a search makes its entry, nothing is uploaded
    list_path=None,  # offer_list_route: the old list has the offers
    download_path="/reg-search/{file_id:uuid}/download",
    archive_path="/reg-search/{file_id:uuid}/archive",
    delete_path="/reg-search/{file_id:uuid}/delete",
    download_name="reg_only_{name}.csv",
    missing_detail="Entry not found",
    not_processed_detail="Not processed yet",
)
LIST_ROUTE = offer_list_route(KIND, "/reg-search/files", TAG)


def provide_reg_search_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> RegSearchService:
    return RegSearchService(
        offer_search_service(db_connection, runtime),
        max_attempts=runtime.settings.jobs.max_attempts,
    )


class RegSearchController(Controller):
    path = "/reg-search"
    tags = (TAG,)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "reg": Provide(provide_reg_search_service, sync_to_thread=False)
    }

    @post(
        "/search",
        status_code=HTTP_200_OK,
        summary="Start a REG search for a country",
        responses={404: error_response(404, "The country's conversions have no offers.")},
    )
    async def search(
        self,
        reg: NamedDependency[RegSearchService],
        country_code: FromQuery[str | None] = None,
        from_date: FromQuery[str | None] = None,
        to_date: FromQuery[str | None] = None,
    ) -> OfferFileItem:
        """An entry for `country_code` and the window (`from_date` to `to_date`, whole UTC
        days, both optional), with the offers of the country's conversions in it."""
        return await reg.search(parse_search(country_code, from_date, to_date))

    @post("/{file_id:uuid}/process", status_code=HTTP_200_OK, summary="Run a REG search")
    async def process(
        self,
        file_id: FromPath[UUID],
        data: JSONBody[OffersChoice],
        reg: NamedDependency[RegSearchService],
    ) -> ProcessingStarted:
        """The numbers with a REG conversion on the chosen offers in the country and
        window, less those with an FTD on them in the country at any time. From uploaded
        or failed; 409 while another search processes."""
        return await reg.process(file_id, data.offers)
