"""The OS-version rules as the migration stores them classify as the SPEC's table says;
odd strings are unknown, odd values are read leniently; never a crash."""

from __future__ import annotations

import asyncpg
import msgspec
import polars as pl
import pytest

from app.sql import SqlQueries
from app.voluum.frames import columns_of_json
from app.voluum.report import KEYS
from app.voluum.repository import VoluumRepository
from app.voluum.rules import OsRule, with_category

CASES = {
    "IOS 18.6": "WHITELIST",
    "IOS 11.0": "WHITELIST",
    "IOS": "WHITELIST",  # no version reads as the newest
    "IOS 10.3.4": "BLACKLIST",
    "Android 13.0": "WHITELIST",
    "Android 16": "WHITELIST",
    "Android 7.1.2": "BLACKLIST",
    "Android 8.1": "MONITOR",
    "Android 9": "MONITOR",
    "Android": "MONITOR",
    "Android beta": "MONITOR",
    "Android 17": "MONITOR",
    "Windows 7": "BLACKLIST",
    "Windows XP": "BLACKLIST",
    "Ubuntu 22.04 LTS": "BLACKLIST",
    "Windows 10": "MONITOR",
    "Windows 11": "MONITOR",
    "Linux": "MONITOR",
    "MacOS 15 Sequoia": "WHITELIST",
    "MacOS 14.1": "WHITELIST",
    # Unknown: no rule, or malformed.
    "Windows 8.1": "UNKNOWN",
    "iOS 17": "UNKNOWN",
    "Chrome OS 120": "UNKNOWN",
    "Android ": "UNKNOWN",
    "Android 10a": "UNKNOWN",
    "": "UNKNOWN",
}


@pytest.fixture
async def rules(conn: asyncpg.Connection, sql: SqlQueries) -> list[OsRule]:
    return await VoluumRepository(conn, sql).rules()


async def test_the_stored_rules_classify_as_the_spec_says(rules: list[OsRule]) -> None:
    frame = pl.DataFrame({"os": [*CASES, None]})
    classified = with_category(frame, rules, source="os", into="category")
    assert dict(zip(classified["os"].to_list(), classified["category"].to_list(), strict=True)) == {
        **CASES,
        None: "UNKNOWN",
    }


def test_first_match_by_position_wins_and_no_rules_mean_unknown() -> None:
    frame = pl.DataFrame({"os": ["IOS 9", "IOS 18"]})
    rules = [
        OsRule(position=2, list_name="blacklist", os_name="IOS"),
        OsRule(position=1, list_name="monitor", os_name="IOS", max_major=9),
    ]
    assert with_category(frame, rules, source="os", into="c")["c"].to_list() == [
        "MONITOR",
        "BLACKLIST",
    ]
    assert with_category(frame.lazy(), [], source="os", into="c").collect()["c"].to_list() == [
        "UNKNOWN",
        "UNKNOWN",
    ]


def test_a_value_of_an_unexpected_type_is_null_not_a_failed_page() -> None:
    rows = [
        {"customVariable1": "447400100001", "visits": "many", "osVersion": "IOS 18"},
        {"customVariable1": 447400100002, "visits": 2, "costSources": "MANUAL_UPDATE"},
    ]
    frame = columns_of_json(msgspec.json.encode(rows), KEYS)
    assert frame["visits"].to_list() == [None, 2.0]
    assert frame["raw_phone"].to_list() == ["447400100001", "447400100002"]
    assert frame["os_version"].to_list() == ["IOS 18", None]
