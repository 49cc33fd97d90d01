"""The app with MessageWhiz and Voluum configured (mocked with pytest-httpx), and
MessageWhiz answers shaped as external-apis.md §2 has them."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from pytest_httpx import HTTPXMock

from app.clients.base import ClientPolicy
from app.clients.messagewhiz import MessageWhizClient
from app.clients.voluum import VoluumClient
from app.main import create_app
from app.settings import Settings
from tests.conftest import SingleConnection, make_settings

MMD = "https://mmd.test/api/3"
VOLUUM = "https://voluum.test"
ENV = {
    "MMD_API_KEY": "mmd-secret-key",
    "MESSAGEWHIZ_BASE_URL": MMD,
    "VOLUUM_ACCESS_ID": "access-id",
    "VOLUUM_ACCESS_KEY": "voluum-secret",
    "VOLUUM_BASE_URL": VOLUUM,
}
FAST = ClientPolicy(
    rate_per_second=1000.0, max_attempts=2, backoff_base_seconds=0.001, backoff_cap_seconds=0.01
)
SESSION = {"token": "t", "expirationTimestamp": "2999-01-01T00:00:00Z", "inaugural": False}
FIXTURE = Path(__file__).parent.parent / "fixtures" / "messagewhiz_broadcast_list.json"
CAMPAIGN_A = "0f0e0d0c-0000-4000-8000-000000000001"
CAMPAIGN_B = "0f0e0d0c-0000-4000-8000-000000000002"
LIST_URL = re.compile(re.escape(MMD) + r"/Broadcast/List\?.*")
LINK_URL = re.compile(re.escape(MMD) + r"/Link\?.*")
REPORT_URL = re.compile(re.escape(VOLUUM) + r"/report\?.*")


@pytest.fixture(autouse=True)
def fast_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(VoluumClient, "policy", FAST)
    monkeypatch.setattr(MessageWhizClient, "policy", FAST)


@pytest.fixture
def mmd_settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, UPLOAD_ROOT=str(tmp_path), **ENV)


@pytest.fixture
def app(mmd_settings: Settings, conn: asyncpg.Connection) -> Litestar:
    return create_app(mmd_settings, connections=SingleConnection(conn))


def envelope(result: object, code: int = 0, message: str = "") -> dict[str, Any]:
    return {"errorCode": code, "errorMessage": message, "errorType": "", "executionTime": 0.01,
            "result": result}  # fmt: skip


def broadcast(
    bid: int, name: str, sent: datetime, *, link: int | None = 6434650, **changes: Any
) -> dict[str, Any]:
    """The fixture's broadcast with another id, name, send date and link."""
    item: dict[str, Any] = copy.deepcopy(json.loads(FIXTURE.read_text())["result"][0])
    body = "Your bonus is waiting" + (f" {{{{link:{link}}}}}" if link is not None else "")
    item.update(
        id=bid,
        name=name,
        message_body=body,
        send_date=sent.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    )
    item["dlr"]["broadcast_id"] = bid
    item["broadcastConversion"]["broadcastId"] = bid
    item.update(changes)
    return item


def link(link_id: int, url: str) -> dict[str, Any]:
    return {"id": link_id, "name": f"link {link_id}", "url": url, "type": 1, "enabled": 1}


def totals(visits: int) -> dict[str, Any]:
    return {"limit": 1, "offset": 0, "truncated": False, "messages": [], "totalRows": 1,
            "totals": {"visits": visits, "uniqueVisits": visits - 1, "conversions": 2,
                       "Click2Reg": 4.5, "Reg2FTD": 12.5},
            "rows": []}  # fmt: skip


def hours_ago(hours: float) -> datetime:
    """A moment today (UTC) at least `hours` before now, never before midnight."""
    now = datetime.now(UTC)
    return max(now - timedelta(hours=hours), now.replace(hour=0, minute=0, second=0))


def mock_day(
    httpx_mock: HTTPXMock, broadcasts: list[dict[str, Any]], links: list[dict[str, Any]]
) -> None:
    """One short page of broadcasts, one of links."""
    httpx_mock.add_response(url=LIST_URL, json=envelope(broadcasts), is_reusable=True)
    httpx_mock.add_response(url=LINK_URL, json=envelope(links), is_reusable=True)
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=SESSION, is_reusable=True)
