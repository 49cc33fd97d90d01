"""The HLR job through the batch API, with real workers, storage and committed rows: every
status, the lists' precedence, a restart that resumes the same batch, failures."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tests.hlr.conftest import BATCH_ID, HEADER, FakeHlr, Harness, phone, result_row


@pytest.fixture
def harness(harness: Harness) -> Harness:
    # Every new number through a batch (no v2 shortcut).
    assert harness.settings.hlr is not None
    hlr = dataclasses.replace(harness.settings.hlr, sync_max_numbers=0)
    harness.settings = dataclasses.replace(harness.settings, hlr=hlr)
    return harness


def _results(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


async def _seed(harness: Harness, sql: str, *args: object) -> None:
    async with harness.pool.acquire() as conn:
        await conn.execute(sql, *args)


async def test_a_batch_through_every_status_writes_outcomes_with_hlr_precedence(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    numbers = [phone(i) for i in range(1, 11)]
    await _seed(harness, "INSERT INTO hlr_risky_operators (name) VALUES ('Lycamobile UK Ltd.')")
    await _seed(
        harness,
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason) VALUES"
        " ($1, 'blacklist', 'hlr', 'HLR_FAILED'),"  # now live: off the list
        " ($2, 'whitelist', 'os_version', NULL),"  # DEAD: HLR beats OS-version
        " ($3, 'whitelist', 'manual', 'vip'),"  # DEAD: manual beats HLR
        " ($4, 'blacklist', 'hlr', 'HLR_FAILED')",  # now absent: monitor
        *numbers[0:4],
    )
    fake_hlr.polls = [
        FakeHlr.batch("PROCESSING", 10, 0),
        FakeHlr.batch("PROCESSING", 10, 6),
        FakeHlr.batch("COMPLETE", 10, 10),
    ]
    fake_hlr.results_csv = _results(
        result_row(numbers[0], "LIVE"),
        result_row(numbers[1], "DEAD"),
        result_row(numbers[2], "DEAD"),
        result_row(numbers[3], "ABSENT_SUBSCRIBER"),
        result_row(numbers[4], "LIVE", current="LYCAMOBILE uk ltd"),  # risky, any spelling
        result_row(numbers[5], "LIVE", current="", original="Lycamobile UK Ltd"),  # original
        result_row(numbers[6], "NO_COVERAGE"),
        result_row(numbers[7], "NOT_AVAILABLE_NETWORK_ONLY", kind="LANDLINE"),
        result_row(numbers[8], "PORTED_SOMEWHERE_NEW"),  # a status no rule knows
        result_row(numbers[9], "", error="INTERNAL_ERROR"),  # per-number error
    )
    file_id = await harness.cleaned_file(numbers)
    job_id = await harness.start(file_id)
    done = await harness.run(job_id)

    assert done.status == "succeeded", done.error
    assert dict(fake_hlr.calls) == {"create": 1, "source": 1, "start": 1, "poll": 3, "results": 1}
    assert fake_hlr.sources == ["\n".join(numbers).encode() + b"\n"]
    assert harness.slept == [5, 5]  # HLR_POLL_EVERY_SECONDS between polls
    run = await harness.state(file_id)
    assert (run.hlr_status, run.hlr_batch_id, run.hlr_mode) == ("complete", BATCH_ID, "batch")
    assert (run.hlr_num_items, run.hlr_num_complete, run.hlr_num_cached) == (10, 10, 0)
    assert run.hlr_num_sent == 10
    assert run.hlr_outcomes == {
        "live": 1, "risky": 2, "failed": 3, "monitored": 2, "unknown_status": 1, "error": 1,
        "lists_written": 6, "lists_released": 1,
    }  # fmt: skip
    assert run.hlr_credits_spent == 8  # no credits column: every answer but NO_COVERAGE
    assert await harness.lists() == {
        numbers[1]: ("blacklist", "hlr", "HLR_FAILED"),
        numbers[2]: ("whitelist", "manual", "vip"),
        numbers[3]: ("monitor", "hlr", "HLR_MONITORED"),
        numbers[4]: ("blacklist", "hlr", "HLR_RISKY_NETWORK"),
        numbers[5]: ("blacklist", "hlr", "HLR_RISKY_NETWORK"),
        numbers[6]: ("monitor", "hlr", "HLR_MONITORED"),
        numbers[7]: ("blacklist", "hlr", "HLR_FAILED"),
    }
    live = (harness.storage.root / run.result_key).read_text()
    assert live == f"phone_number\n{numbers[0]}\n"
    assert (harness.storage.root / run.raw_key).read_text() == fake_hlr.results_csv
    async with harness.pool.acquire() as conn:
        cached = await conn.fetch(
            "SELECT custom_variable_1, telephone_number_type, current_network_details_name"
            " FROM api_hlr_live_numbers WHERE custom_variable_1 LIKE '4474001%'"
        )
        keys = await conn.fetchval("SELECT options->'extra_keys' FROM files WHERE id = $1", file_id)
    # Every answer but the per-number error is kept for reuse, with its type and network.
    assert len(cached) == 9
    assert {r[0]: r[1] for r in cached}[numbers[7]] == "LANDLINE"
    assert set(keys) == {run.result_key, run.raw_key}


async def test_a_restart_mid_poll_resumes_the_same_batch_and_never_starts_another(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    numbers = [phone(i) for i in range(20, 24)]
    fake_hlr.polls = [FakeHlr.batch("PROCESSING", 4, 1)] * 2 + [FakeHlr.batch("COMPLETE", 4, 4)]
    fake_hlr.results_csv = _results(*(result_row(n, "LIVE") for n in numbers))
    harness.crash_on_sleep = 1  # the first attempt dies while it waits to poll again
    file_id = await harness.cleaned_file(numbers)
    job_id = await harness.start(file_id)
    done = await harness.run(job_id, workers=2)  # the next attempt: any of two containers

    assert done.status == "succeeded", done.error
    assert done.attempts == 2
    assert (fake_hlr.calls["create"], fake_hlr.calls["source"], fake_hlr.calls["start"]) == (
        1,
        1,
        1,
    )
    assert fake_hlr.calls["poll"] == 3
    run = await harness.state(file_id)
    assert (run.hlr_status, run.hlr_batch_id, run.hlr_outcomes["live"]) == ("complete", BATCH_ID, 4)


async def test_a_restart_after_an_unrecorded_upload_starts_a_new_batch_never_the_unknown_one(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    numbers = [phone(i) for i in range(30, 33)]
    file_id = await harness.cleaned_file(numbers)
    job_id = await harness.start(file_id)
    # As a container left it: the batch created and recorded, the source sent, then dead.
    source = "\n".join(numbers).encode() + b"\n"
    fake_hlr.batches[BATCH_ID] = [source]
    await _seed(
        harness,
        "UPDATE hlr_batches SET hlr_batch_id = $1, hlr_mode = 'batch', hlr_num_items = 3,"
        " hlr_num_cached = 0, hlr_num_sent = 3 WHERE file_id = $2",
        BATCH_ID,
        file_id,
    )
    # Even showing items, a batch not started may hold a part, or twice, of what was sent.
    fake_hlr.polls = [FakeHlr.batch("NOT_STARTED", 3, 0), FakeHlr.batch("COMPLETE", 3, 3)]
    fake_hlr.results_csv = _results(*(result_row(n, "DEAD") for n in numbers))
    done = await harness.run(job_id)

    assert done.status == "succeeded", done.error
    assert dict(fake_hlr.calls) == {"poll": 2, "create": 1, "source": 1, "start": 1, "results": 1}
    assert fake_hlr.started == [f"{BATCH_ID}-2"]
    assert fake_hlr.batches == {BATCH_ID: [source], f"{BATCH_ID}-2": [source]}
    assert fake_hlr.paid() == dict.fromkeys(numbers, 1)
    assert (await harness.state(file_id)).hlr_batch_id == f"{BATCH_ID}-2"


async def test_an_upload_whose_answer_was_lost_is_never_appended_to(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    numbers = [phone(i) for i in range(34, 38)]
    # The upload arrives, its answer does not; the batch then shows nothing yet (as the
    # provider does right after an upload), so nothing says whether it holds the numbers.
    fake_hlr.lose_upload_answers = 1
    fake_hlr.polls = [
        FakeHlr.batch("NOT_STARTED", 0, 0),  # what the next attempt sees of the first batch
        FakeHlr.batch("PROCESSING", 4, 2),
        FakeHlr.batch("COMPLETE", 4, 4),
    ]
    fake_hlr.results_csv = _results(*(result_row(n, "LIVE") for n in numbers))
    file_id = await harness.cleaned_file(numbers)
    done = await harness.run(await harness.start(file_id))

    assert (done.status, done.attempts) == ("succeeded", 2), done.error
    assert fake_hlr.paid() == dict.fromkeys(numbers, 1)
    assert fake_hlr.calls["start"] == 1
    assert fake_hlr.started == [f"{BATCH_ID}-2"]  # the unknown batch is left, never started
    run = await harness.state(file_id)
    assert (run.hlr_status, run.hlr_batch_id, run.hlr_outcomes["live"]) == (
        "complete",
        f"{BATCH_ID}-2",
        4,
    )


async def test_a_new_run_after_a_poll_timeout_fetches_the_paid_batch_and_pays_nothing_again(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    assert harness.settings.hlr is not None
    hlr = dataclasses.replace(harness.settings.hlr, poll_max_seconds=12, poll_every_seconds=5)
    harness.settings = dataclasses.replace(harness.settings, hlr=hlr)
    numbers = [phone(i) for i in range(38, 40)]
    fake_hlr.polls = [FakeHlr.batch("PROCESSING", 2, 1)]
    file_id = await harness.cleaned_file(numbers)
    first = await harness.run(await harness.start(file_id))
    assert first.status == "failed"
    failed = await harness.state(file_id)
    assert (failed.hlr_status, failed.hlr_batch_id) == ("failed", BATCH_ID)

    # Later, the same file again: the first batch (paid) finished meanwhile.
    harness.now = datetime.now(UTC)
    fake_hlr.polls = [FakeHlr.batch("COMPLETE", 2, 2)]
    fake_hlr.results_csv = _results(result_row(numbers[0], "LIVE"), result_row(numbers[1], "DEAD"))
    second = await harness.run(await harness.start(file_id))

    assert second.status == "succeeded", second.error
    assert (fake_hlr.calls["create"], fake_hlr.calls["source"], fake_hlr.calls["start"]) == (
        1,
        1,
        1,
    )
    assert fake_hlr.calls["results"] == 1
    assert fake_hlr.paid() == dict.fromkeys(numbers, 1)
    run = await harness.state(file_id)
    assert run.hlr_status == "complete"
    assert (run.hlr_num_items, run.hlr_num_cached, run.hlr_num_sent) == (2, 2, 0)
    assert (run.hlr_outcomes["live"], run.hlr_outcomes["failed"]) == (1, 1)
    assert run.hlr_credits_spent == 2  # what the first batch cost, now accounted for
    assert (harness.storage.root / run.raw_key).read_text() == fake_hlr.results_csv
    assert await harness.lists() == {numbers[1]: ("blacklist", "hlr", "HLR_FAILED")}


async def test_a_new_run_after_a_vendor_failed_batch_looks_at_it_once_and_sends_anew(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    numbers = [phone(42), phone(43)]
    fake_hlr.polls = [FakeHlr.batch("FAILED", 2, 0)]
    file_id = await harness.cleaned_file(numbers)
    assert (await harness.run(await harness.start(file_id))).status == "failed"

    fake_hlr.polls = [FakeHlr.batch("FAILED", 2, 0), FakeHlr.batch("COMPLETE", 2, 2)]
    fake_hlr.results_csv = _results(*(result_row(n, "LIVE") for n in numbers))
    done = await harness.run(await harness.start(file_id))

    assert done.status == "succeeded", done.error
    # The failed batch has nothing to fetch: its results are never asked for.
    assert dict(fake_hlr.calls) == {"create": 2, "source": 2, "start": 2, "poll": 3, "results": 1}
    assert fake_hlr.started == [BATCH_ID, f"{BATCH_ID}-2"]
    assert (await harness.state(file_id)).hlr_batch_id == f"{BATCH_ID}-2"


async def test_a_failed_batch_fails_the_run_with_a_reason(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    fake_hlr.polls = [FakeHlr.batch("PROCESSING", 2, 1), FakeHlr.batch("FAILED", 2, 1)]
    file_id = await harness.cleaned_file([phone(40), phone(41)])
    done = await harness.run(await harness.start(file_id))

    assert (done.status, done.attempts) == ("failed", 1)
    run = await harness.state(file_id)
    assert run.hlr_status == "failed"
    assert run.hlr_error_message == f"HLR batch {BATCH_ID} ended with status FAILED"
    assert fake_hlr.calls["results"] == 0
    assert await harness.lists() == {}


async def test_a_batch_that_outlasts_the_poll_limit_fails_and_is_not_polled_again(
    harness: Harness, fake_hlr: FakeHlr
) -> None:
    assert harness.settings.hlr is not None
    hlr = dataclasses.replace(harness.settings.hlr, poll_max_seconds=12, poll_every_seconds=5)
    harness.settings = dataclasses.replace(harness.settings, hlr=hlr)
    fake_hlr.polls = [FakeHlr.batch("PROCESSING", 2, 0)]
    file_id = await harness.cleaned_file([phone(50), phone(51)])
    done = await harness.run(await harness.start(file_id))

    assert done.status == "failed"
    run = await harness.state(file_id)
    assert run.hlr_status == "failed"
    assert run.hlr_error_message == (
        f"HLR batch {BATCH_ID} was not complete after 12 s (HLR_POLL_MAX_SECONDS)"
    )
    assert fake_hlr.calls["poll"] == 4  # at 0, 5, 10 and 15 s
    assert fake_hlr.calls["start"] == 1
