"""Through the HTTP API as the frontend does it, the service running whole (worker,
storage, pool): clean a file, run HLR, follow it, download both files; then a second
file sharing numbers, of which only the new ones are sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from tests.hlr.conftest import HEADER, HLR_ENV, FakeHlr, phone, result_row, v2_result
from tests.jobs.test_progress_and_schedules import parse_sse


@pytest.fixture
def live_env() -> dict[str, str]:
    # Four new numbers make a batch, two go through the v2 API; a poll a second.
    return {**HLR_ENV, "HLR_SYNC_MAX_NUMBERS": "2", "HLR_POLL_EVERY_SECONDS": "1"}


@pytest.fixture
async def cleanup(pool: asyncpg.Pool) -> AsyncIterator[None]:
    yield
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM api_hlr_live_numbers")
        await conn.execute("DELETE FROM hlr_risky_operators")


async def _clean(live: httpx.AsyncClient, rows: list[str]) -> str:
    upload = await live.post("/upload", files={"file": ("leads.csv", "\n".join(rows), "text/csv")})
    file_id: str = upload.json()["id"]
    started = (await live.post(f"/{file_id}/process")).json()
    events = parse_sse((await live.get(f"/jobs/{started['job_id']}/events", timeout=60)).text)
    assert events[-1]["event"] == "done", events
    return file_id


async def _hlr(live: httpx.AsyncClient, file_id: str) -> list[dict[str, str]]:
    started = await live.post(f"/{file_id}/hlr")
    assert started.status_code == 200, started.text
    assert started.json()["hlr_status"] == "processing"
    stream = await live.get(f"/jobs/{started.json()['job_id']}/events", timeout=60)
    return parse_sse(stream.text)


async def test_clean_then_hlr_then_a_second_file_sends_only_new_numbers(
    live: httpx.AsyncClient, fake_hlr: FakeHlr, cleanup: None
) -> None:
    first = [phone(1), phone(2), phone(3), phone(4)]
    replaced = await live.put("/hlr/risky-operators", json={"names": ["Lycamobile UK Limited"]})
    assert replaced.json()["count"] == 1
    fake_hlr.polls = [FakeHlr.batch("PROCESSING", 4, 2), FakeHlr.batch("COMPLETE", 4, 4)]
    fake_hlr.results_csv = "\n".join([
        HEADER,
        result_row(first[0], "LIVE"),
        result_row(first[1], "DEAD"),
        result_row(first[2], "ABSENT_SUBSCRIBER"),
        result_row(first[3], "LIVE", current="Lycamobile UK Limited"),
    ]) + "\n"  # fmt: skip
    file_id = await _clean(live, ["phone,name", *(f"+44 {n[2:6]} {n[6:]},x" for n in first)])

    events = await _hlr(live, file_id)
    assert events[-1]["event"] == "done", events
    progress = (await live.get(f"/{file_id}/hlr")).json()
    assert progress["hlr_status"] == "complete"
    assert (progress["hlr_num_items"], progress["hlr_num_complete"]) == (4, 4)
    assert (progress["hlr_num_cached"], progress["hlr_num_sent"]) == (0, 4)
    assert progress["hlr_batch_id"] == "123456"
    assert progress["hlr_outcomes"]["risky"] == 1
    live_file = await live.get(f"/{file_id}/hlr/download")
    assert live_file.headers["content-disposition"].startswith(
        'attachment; filename="hlr_leads.csv"'
    )
    assert live_file.text.split() == ["phone_number", first[0]]
    raw = await live.get(f"/{file_id}/hlr/raw")
    assert raw.headers["content-disposition"].startswith('attachment; filename="hlr_raw_leads.csv"')
    assert raw.text == fake_hlr.results_csv
    listed = (await live.get("/files")).json()["items"]
    assert next(i for i in listed if i["id"] == file_id)["hlr_status"] == "complete"
    assert dict(fake_hlr.calls) == {"create": 1, "source": 1, "start": 1, "poll": 2, "results": 1}

    second = [first[0], first[1], phone(5), phone(6)]
    fake_hlr.v2 = lambda n: v2_result(n, "LIVE")
    second_id = await _clean(live, ["phone", *second])
    events = await _hlr(live, second_id)
    assert events[-1]["event"] == "done", events
    assert fake_hlr.v2_numbers == [[phone(5), phone(6)]]
    assert fake_hlr.calls["create"] == 1
    view = (await live.get(f"/{second_id}/hlr")).json()
    assert (view["hlr_num_cached"], view["hlr_num_sent"], view["hlr_mode"]) == (2, 2, "sync")
    assert (await live.get(f"/{second_id}/hlr/download")).text.split() == [
        "phone_number", first[0], phone(5), phone(6),
    ]  # fmt: skip
