"""The phones domain: the three lists, main_database, and lookups of one number."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.phones.controller import PhoneController
from app.phones.normalize import compile_plans
from app.phones.repository import PhoneRepository

DOMAIN = Domain(
    name="phones",
    tag=Tag(name="phones", description="Where one number stands; its Voluum traffic."),
    routes=(PhoneController,),
    repositories=(PhoneRepository,),
    # Every path normalizes numbers: its numbering plans are compiled before serving.
    warm_up=(compile_plans,),
)
