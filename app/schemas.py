"""Bases shared by every domain's request bodies."""

from __future__ import annotations

import msgspec


class Input(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A request body: unknown fields are an error, not silently dropped."""
