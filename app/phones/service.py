"""Looking up one number: where it stands, and its Voluum traffic."""

from __future__ import annotations

from typing import Any

import msgspec

from app.errors import BadRequestError
from app.phones.normalize import Normalized, normalize_phone, region_of
from app.phones.repository import PhoneRepository
from app.phones.schemas import PhoneStatus


class PhoneService:
    def __init__(self, repository: PhoneRepository, default_region: str) -> None:
        self._repository = repository
        self._region = default_region

    def _normalized(self, raw: str) -> Normalized:
        found = normalize_phone(raw, self._region)
        if found.phone is None:
            raise BadRequestError(f"Not a phone number ({found.reason})")
        return found

    async def traffic(self, raw: str) -> list[list[Any]]:
        phone = self._normalized(raw).phone
        assert phone is not None  # _normalized refuses the others
        return await self._repository.traffic_records(phone)

    async def status(self, raw: str) -> PhoneStatus:
        found = self._normalized(raw)
        assert found.phone is not None
        status = await self._repository.status(found.phone)
        return msgspec.structs.replace(
            status, line_type=found.line_type, country=region_of(found.phone)
        )
