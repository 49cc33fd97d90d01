"""Looking up one number: where it stands, and its Voluum traffic."""

from __future__ import annotations

from typing import Any

from app.errors import BadRequestError
from app.phones.normalize import normalize_phone
from app.phones.repository import PhoneRepository
from app.phones.schemas import PhoneStatus


class PhoneService:
    def __init__(self, repository: PhoneRepository, default_region: str) -> None:
        self._repository = repository
        self._region = default_region

    def _normalized(self, raw: str) -> str:
        found = normalize_phone(raw, self._region)
        if found.phone is None:
            raise BadRequestError(f"Not a phone number ({found.reason})")
        return found.phone

    async def traffic(self, raw: str) -> list[list[Any]]:
        return await self._repository.traffic_records(self._normalized(raw))

    async def status(self, raw: str) -> PhoneStatus:
        return await self._repository.status(self._normalized(raw))
