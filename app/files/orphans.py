"""Stored objects that no file row points at: left by a crash between storing and
recording, or by a delete whose storage call failed. They hold phone data nobody can
reach through the API, so an operator can list them and remove them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.files.repository import FileRepository
from app.storage import Storage, StoredObject

# An upload is stored before its row is written, and a job's results before it finishes:
# younger objects may belong to work in progress.
DEFAULT_GRACE = timedelta(hours=1)


async def find_orphans(
    storage: Storage, files: FileRepository, *, grace: timedelta = DEFAULT_GRACE
) -> list[StoredObject]:
    """Objects older than `grace` that no file row points at, oldest first."""
    # The keys are read after the listing: a row written meanwhile is seen.
    before = datetime.now(UTC) - grace
    candidates = [stored async for stored in storage.list() if stored.modified < before]
    known = await files.stored_keys()
    return sorted((s for s in candidates if s.key not in known), key=lambda s: s.modified)


async def remove_orphans(storage: Storage, orphans: list[StoredObject]) -> None:
    for orphan in orphans:
        await storage.delete(orphan.key)
