"""CSV cleaning: the lifecycle routes at the old paths (processing comes with the cleaner)."""

from __future__ import annotations

from app.files.controller import FileKind

CLEANING = FileKind(
    name="cleaning",
    tag="cleaning",
    upload_path="/upload",
    list_path="/files",
    download_path="/{file_id:uuid}/download",
    archive_path="/{file_id:uuid}/archive",
    delete_path="/{file_id:uuid}/delete",
    download_name="processed_{name}",
)
