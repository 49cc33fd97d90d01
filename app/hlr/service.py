"""HLR runs of cleaned files: start one, follow it, download what it found; and the
risky operators' list."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from uuid import UUID

from app.errors import BadRequestError, NotFoundError
from app.files.service import FileService, open_stored
from app.hlr.jobs import CLEANING, KIND
from app.hlr.repository import HlrRepository, RiskyOperatorRepository
from app.hlr.schemas import HlrStarted, HlrView, RiskyOperators
from app.jobs.repository import JobRepository
from app.storage import Storage

# What no network name holds, and PostgreSQL refuses in text (NUL).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class NotEligibleError(BadRequestError):
    detail = "File not eligible for HLR (must be processed and not already active)"


class HlrNotCompleteError(BadRequestError):
    detail = "HLR not complete yet"


class HlrResultMissingError(NotFoundError):
    detail = "HLR result file missing on disk"


class RawNotAvailableError(BadRequestError):
    detail = "Raw HLR file not available"


class RawMissingError(NotFoundError):
    detail = "Raw HLR file missing"


class HlrService:
    def __init__(
        self, files: FileService, repository: HlrRepository, storage: Storage, *, max_attempts: int
    ) -> None:
        self._files = files
        self._repository = repository
        self._storage = storage
        self._max_attempts = max_attempts

    async def start(self, file_id: UUID) -> HlrStarted:
        """Queues the HLR job of a processed cleaning file, in one transaction with the run."""
        await self._files.get(CLEANING, file_id)  # 404 for an unknown file
        repository = self._repository
        async with repository.transaction():
            job = await JobRepository(repository.conn, repository.sql).enqueue(
                KIND, {"file_id": str(file_id)}, max_attempts=self._max_attempts
            )
            run = await repository.start(file_id, job_id=job.id)
            if run is None:  # raising rolls the job back too
                raise NotEligibleError
        return HlrStarted(ok=True, file_id=file_id, hlr_status="processing", job_id=job.id)

    async def view(self, file_id: UUID) -> HlrView:
        await self._files.get(CLEANING, file_id)
        return HlrView.of(file_id, await self._repository.get(file_id))

    async def download(self, file_id: UUID, *, raw: bool) -> tuple[str, AsyncIterator[bytes]]:
        """The live numbers (or the provider's results as they came) and the file's name."""
        record = await self._files.get(CLEANING, file_id)
        run = await self._repository.get(file_id)
        key = None if run is None or run.hlr_status != "complete" else run.result_key
        if raw:
            key = None if run is None or run.hlr_status != "complete" else run.raw_key
        if key is None:
            raise RawNotAvailableError if raw else HlrNotCompleteError
        stream = await open_stored(
            self._storage, key, RawMissingError if raw else HlrResultMissingError
        )
        prefix = "hlr_raw_" if raw else "hlr_"
        return prefix + record.original_filename, stream


class RiskyOperatorService:
    def __init__(self, repository: RiskyOperatorRepository) -> None:
        self._repository = repository

    async def listed(self) -> RiskyOperators:
        return RiskyOperators(items=await self._repository.listed())

    async def replace(self, names: list[str]) -> int:
        """The list becomes `names`; how many distinct operators it has now."""
        if any(_CONTROL.search(name) for name in names):
            raise BadRequestError("A name holds control characters")
        return await self._repository.replace([name.strip() for name in names])


def parse_operator_list(content: bytes, filename: str) -> list[str]:
    """Names from a JSON list (of names, or `{"risky_networks": [...]}` as the old
    service kept them) or a CSV (the first column; a `name` header is skipped)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequestError("The list is not UTF-8 text") from exc
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadRequestError("The list is not valid JSON") from exc
        if isinstance(data, dict):
            data = data.get("risky_networks", data.get("names"))
        if not isinstance(data, list) or not all(isinstance(n, str) for n in data):
            raise BadRequestError(
                'A JSON list of names, or {"risky_networks": [names]}, was expected'
            )
        return data
    try:
        names = [row[0] for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    except csv.Error as exc:
        raise BadRequestError("The list could not be read as CSV") from exc
    if names and names[0].strip().lower() in ("name", "network", "operator"):
        names = names[1:]
    return names
