"""A dashboard on another origin follows a cleaning job in a real Chromium: `EventSource`
with a stream token, CORS, and the frames through to `done`."""

from __future__ import annotations

import httpx
import msgspec

from tests.browser.harness import DashboardOrigin

CSV = b"phone\n+1 202-555-0142\n+12025550142\n07400 100123\nnot a number\n"


async def test_a_browser_follows_a_cleaning_job_to_done(
    browser_live: httpx.AsyncClient, dashboard: DashboardOrigin
) -> None:
    uploaded = await browser_live.post("/upload", files={"file": ("leads.csv", CSV, "text/csv")})
    assert uploaded.status_code == 200, uploaded.text
    file_id = uploaded.json()["id"]
    processed = await browser_live.post(f"/{file_id}/process")
    assert processed.status_code in (200, 202), processed.text
    job_id = processed.json()["job_id"]
    token = (await browser_live.post("/auth/stream-token")).json()["token"]

    url = f"{browser_live.base_url}/jobs/{job_id}/events?token={token}"
    received = await dashboard.open_event_source(
        url, events=("progress", "done", "failed"), last="done"
    )

    assert received.reason == "last", received
    assert received.frames[-1].event == "done"
    assert all(f.event in ("progress", "done") for f in received.frames)
    final = msgspec.json.decode(received.frames[-1].data)
    assert final["status"] == "succeeded"
    # The browser resumes from ids: every frame carried one, increasing.
    ids = [int(f.id) for f in received.frames]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


async def test_a_browser_without_a_token_is_refused(
    browser_live: httpx.AsyncClient, dashboard: DashboardOrigin
) -> None:
    uploaded = await browser_live.post("/upload", files={"file": ("leads.csv", CSV, "text/csv")})
    job_id = (await browser_live.post(f"/{uploaded.json()['id']}/process")).json()["job_id"]

    url = f"{browser_live.base_url}/jobs/{job_id}/events"
    received = await dashboard.open_event_source(url, events=("done",), last="done", within=20)

    # A 401 is fatal to EventSource: it closes instead of retrying, and saw no frame.
    assert received.reason == "closed"
    assert received.frames == []
