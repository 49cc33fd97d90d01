"""A dashboard on another origin watches today's broadcasts in a real Chromium:
`EventSource` with a stream token, against the fake MessageWhiz and Voluum servers of
scripts/, receiving the old frames through to `done`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.broadcasts.fakes import fake_upstreams
from tests.browser.harness import DashboardOrigin


@pytest.fixture
def browser_env() -> Iterator[dict[str, str]]:
    # 12 broadcasts today in 4 campaigns, in 7 lists (UK_LIST0..6), all sent, all linked.
    with fake_upstreams(broadcasts=12, campaigns=4) as env:
        yield {**env, "VOLUUM_ACCESS_ID": "demo", "VOLUUM_ACCESS_KEY": "demo"}


async def test_a_browser_watches_the_broadcasts_to_done(
    browser_live: httpx.AsyncClient, dashboard: DashboardOrigin
) -> None:
    token = (await browser_live.post("/auth/stream-token")).json()["token"]
    url = f"{browser_live.base_url}/get-live-broadcasts-stream?token={token}"
    received = await dashboard.open_event_source(url, events=("done",), last="done")

    assert received.reason == "last", received
    assert received.frames[-1].event == "done"
    assert received.frames[-1].data == "completed"
    # Every other frame is an unnamed one (a `message` to EventSource), as before; the
    # keep-alive comments are no events at all.
    payloads = [json.loads(f.data) for f in received.frames[:-1]]
    assert {f.event for f in received.frames[:-1]} == {"message"}
    rows = [p for p in payloads if p["type"] == "row"]
    assert len(rows) == 12
    assert all(r["row"]["Campaign ID"] and r["row"]["Voluum Visits"] > 0 for r in rows)
    done = [p["broadcast"] for p in payloads if p["type"] == "broadcast_done"]
    assert sorted(done) == [f"UK_LIST{n}" for n in range(7)]
    assert not [p for p in payloads if p["type"] == "error"]
