"""Ongage's answer to the contacts method (external-apis.md §4.1), for the fakes of tests."""

from __future__ import annotations

from typing import Any


def contacts_answer(created: dict[str, str], failed: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """The status and body Ongage sends: 412 when any contact failed (the others are still
    applied), and its empty maps written as `[]`, as PHP does."""
    rows = len(created) + len(failed)
    payload: dict[str, Any] = {
        "rows": rows,
        "success": len(created),
        "created": len(created),
        "created_emails": created or [],
        "updated": 0,
        "updated_emails": [],
        "revived": 0,
        "revived_emails": [],
        "failed": len(failed),
        "failed_emails": failed or [],
    }
    status = 412 if failed else 200
    if failed:
        payload |= {"code": 412, "message": f"{len(failed)} contacts out of {rows} have failed"}
    return status, {"metadata": {"error": status != 200}, "payload": payload}
