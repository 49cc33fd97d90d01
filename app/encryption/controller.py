"""Encryption files at the old paths: the shared lifecycle, plus process."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK

from app.encryption.jobs import ENCRYPTION_JOB, KIND
from app.files.controller import FileKind, provide_file_service
from app.files.schemas import ProcessingStarted
from app.files.service import FileService
from app.integrations import requires
from app.runtime import Runtime

NEEDS_KEY = requires("encryption", "AES_KEY (url-safe base64 of 32 bytes)")

ENCRYPTION = FileKind(
    name=KIND,
    tag="encryption",
    upload_path="/upload-encrypted",
    list_path="/encrypted-files",
    download_path="/{file_id:uuid}/download-encrypted",
    archive_path="/{file_id:uuid}/archive-encrypted",
    delete_path="/{file_id:uuid}/delete-encrypted",
    download_name="encrypted_{name}",
    guards=(NEEDS_KEY,),
)


class EncryptionController(Controller):
    tags = ("encryption",)
    guards = [NEEDS_KEY]  # noqa: RUF012 - Litestar's own attribute
    dependencies = {"files": Provide(provide_file_service, sync_to_thread=False)}  # noqa: RUF012

    @post("/{file_id:uuid}/process-encrypted", status_code=HTTP_200_OK, summary="Encrypt a file")
    async def process(
        self,
        file_id: FromPath[UUID],
        files: NamedDependency[FileService],
        runtime: NamedDependency[Runtime],
        mode: FromQuery[Literal["encrypt", "decrypt"]] = "encrypt",
    ) -> ProcessingStarted:
        """Every row becomes `original,token` (or `token,phone` with mode=decrypt); a row
        that cannot be done says why after `#error:`."""
        record = await files.start_processing(
            ENCRYPTION_JOB.file_kind,
            file_id,
            job_kind=ENCRYPTION_JOB.job_kind,
            options={"mode": mode},
            max_attempts=runtime.settings.jobs.max_attempts,
        )
        return ProcessingStarted.of(record)
