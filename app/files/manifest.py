"""The files domain: the one lifecycle every kind of file shares. Its routes are mounted
by the domains that own a kind (cleaning, encryption), at their old paths."""

from __future__ import annotations

from app.domain import Domain
from app.files.repository import FileRepository

DOMAIN = Domain(name="files", repositories=(FileRepository,))
