"""What the two offer tools' routes share: their service per request, and the list route
in the old shape (made once per kind, at its old path)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from app.files.controller import (
    DEFAULT_LIST_LIMIT,
    MAX_LIST_LIMIT,
    STATUS_LIST,
    parse_statuses,
)
from app.files.repository import FileRepository
from app.files.service import FileService
from app.offer_search.repository import OfferSearchRepository
from app.offer_search.schemas import OfferFileList
from app.offer_search.service import OfferSearchService
from app.runtime import Runtime


def offer_search_service(conn: asyncpg.Connection, runtime: Runtime) -> OfferSearchService:
    return OfferSearchService(
        FileService(FileRepository(conn, runtime.queries), runtime.storage),
        OfferSearchRepository(conn, runtime.queries),
    )


def provide_offer_search_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> OfferSearchService:
    return offer_search_service(db_connection, runtime)


def offer_list_route(kind: str, path: str, tag: str) -> HTTPRouteHandler:
    """GET `path`: the kind's newest files with their offers, in the old list shape."""

    @get(
        path,
        tags=[tag],
        dependencies={"searches": Provide(provide_offer_search_service, sync_to_thread=False)},
        operation_id=f"{kind}_list",
        summary="List files with their offers",
    )
    async def list_files(
        searches: NamedDependency[OfferSearchService],
        status: Annotated[str | None, QueryParameter(schema_extra={"pattern": STATUS_LIST})] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_LIST_LIMIT, description="At most this many files")
        ] = DEFAULT_LIST_LIMIT,
    ) -> OfferFileList:
        """The newest files first, `limit` of them (100 unless asked); `?status=a,b` keeps
        those statuses. `offers` and `selected_offer` are `^`-joined; `outcomes` counts the
        last run's rows by why they were removed (and `kept`)."""
        items = await searches.list(kind, parse_statuses(status), limit=limit)
        return OfferFileList(items=items)

    return list_files
