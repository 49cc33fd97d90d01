"""Few new numbers go through the v2 API; a fresh earlier answer is reused, never sent."""

from __future__ import annotations

import dataclasses

import pytest

from tests.hlr.conftest import FakeHlr, Harness, phone, v2_result


async def _answered(harness: Harness, number: str, status: str, days_ago: int) -> None:
    async with harness.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO api_hlr_live_numbers (custom_variable_1, error, live_status,"
            " telephone_number_type, \"timestamp\")"
            " VALUES ($1, 'NONE', $2, 'MOBILE', now() - make_interval(days => $3))",
            number, status, days_ago,
        )  # fmt: skip


async def test_a_fresh_answer_is_reused_and_only_new_numbers_are_sent(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    numbers = [phone(i) for i in range(60, 65)]
    await _answered(harness, numbers[0], "DEAD", days_ago=3)  # fresh: reused
    await _answered(harness, numbers[1], "DEAD", days_ago=45)  # older than 30 days: sent
    fake_hlr.v2 = lambda n: v2_result(
        n, "LIVE", error="INSUFFICIENT_CREDIT" if n == numbers[4] else "NONE"
    )
    file_id = await harness.cleaned_file(numbers)
    done = await harness.run(await harness.start(file_id))

    assert done.status == "succeeded", done.error
    assert fake_hlr.v2_numbers == [numbers[1:]]
    assert fake_hlr.calls["create"] == 0
    run = await harness.state(file_id)
    assert (run.hlr_mode, run.hlr_num_items, run.hlr_num_cached, run.hlr_num_sent) == (
        "sync", 5, 1, 4,
    )  # fmt: skip
    assert run.hlr_credits_spent == 3
    assert run.hlr_outcomes["live"] == 3
    assert (run.hlr_outcomes["failed"], run.hlr_outcomes["error"]) == (1, 1)
    assert await harness.lists() == {numbers[0]: ("blacklist", "hlr", "HLR_FAILED")}
    live = (harness.storage.root / run.result_key).read_text().split()
    assert live == ["phone_number", *numbers[1:4]]
    raw = (harness.storage.root / run.raw_key).read_text().splitlines()
    assert raw[0].startswith("input,error,request_parameters.telephone_number,")
    assert len(raw) == 5

    # A second file sharing numbers: only the one never answered (and the error) go out.
    second = await harness.cleaned_file([*numbers, phone(70)])
    fake_hlr.v2 = lambda n: v2_result(n, "ABSENT_SUBSCRIBER")
    done = await harness.run(await harness.start(second))
    assert done.status == "succeeded", done.error
    assert fake_hlr.v2_numbers[1] == [numbers[4], phone(70)]


@pytest.mark.parametrize("size", [81, 170])
async def test_more_than_80_new_numbers_go_80_a_request(
    harness: Harness, fake_hlr: FakeHlr, size: int
) -> None:
    assert harness.settings.hlr is not None
    hlr = dataclasses.replace(harness.settings.hlr, sync_max_numbers=200)
    harness.settings = dataclasses.replace(harness.settings, hlr=hlr)
    numbers = [phone(100 + i) for i in range(size)]
    file_id = await harness.cleaned_file(numbers)
    done = await harness.run(await harness.start(file_id))

    assert done.status == "succeeded", done.error
    assert [len(chunk) for chunk in fake_hlr.v2_numbers] == [80] * (size // 80) + [size % 80]
    assert [n for chunk in fake_hlr.v2_numbers for n in chunk] == numbers
