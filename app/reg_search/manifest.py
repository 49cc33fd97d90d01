"""The REG search domain: numbers that registered and never deposited."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.files.controller import lifecycle_routes
from app.reg_search.controller import LIST_ROUTE, REG_SEARCH, TAG, RegSearchController
from app.reg_search.jobs import REG_SEARCH_JOB
from app.reg_search.repository import RegSearchRepository

DOMAIN = Domain(
    name="reg_search",
    tag=Tag(
        name=TAG,
        description="Numbers that registered on chosen offers and never deposited.",
    ),
    routes=(*lifecycle_routes(REG_SEARCH), LIST_ROUTE, RegSearchController),
    repositories=(RegSearchRepository,),
    jobs=(REG_SEARCH_JOB.kind(),),
)
