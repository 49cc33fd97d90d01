"""The imports domain: manual decisions imported onto the lists."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.imports.controller import ImportController
from app.imports.repository import ImportRepository

DOMAIN = Domain(
    name="imports",
    tag=Tag(name="imports", description="Manual decisions: import numbers onto a list."),
    routes=(ImportController,),
    repositories=(ImportRepository,),
)
