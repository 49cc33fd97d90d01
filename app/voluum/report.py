"""The traffic-source report (legacy §3.2): what is asked of Voluum, and one page of it
as the rows of `api_voluum_ts_sources`, classified by the OS-version rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from app.clients.voluum import ReportQuery, Window
from app.encryption.crypto import PhoneCipher
from app.voluum.frames import columns_of_json, with_phone
from app.voluum.rules import OsRule, with_category

# Grouped by phone, IP, browser version and OS version, per traffic source.
GROUP_BY = ("custom-variable-1", "ip", "browser-version", "os-version")

_F, _S = pl.Float64(), pl.String()
# Voluum key → (column of api_voluum_ts_sources, type). The account's custom
# conversions are named Click2Reg and Reg2FTD.
METRIC_KEYS: Mapping[str, tuple[str, pl.DataType]] = {
    "Click2Reg": ("click_2_reg", _F),
    "Reg2FTD": ("reg_2_ftd", _F),
    "clicks": ("clicks", _F),
    "conversions": ("conversions", _F),
    "cost": ("cost", _F),
    "cpv": ("cpv", _F),
    "customConversions1": ("custom_conversions_1", _F),
    "customConversions2": ("custom_conversions_2", _F),
    "customConversions3": ("custom_conversions_3", _F),
    "customRevenue1": ("custom_revenue_1", _F),
    "customRevenue2": ("custom_revenue_2", _F),
    "customRevenue3": ("custom_revenue_3", _F),
    "cv": ("cv", _F),
    "epv": ("epv", _F),
    "errors": ("errors", _F),
    "profit": ("profit", _F),
    "revenue": ("revenue", _F),
    "roi": ("roi", _F),
    "suspiciousClicks": ("suspicious_clicks", _F),
    "suspiciousClicksPercentage": ("suspicious_clicks_percentage", _F),
    "suspiciousVisits": ("suspicious_visits", _F),
    "suspiciousVisitsPercentage": ("suspicious_visits_percentage", _F),
    "uniqueVisits": ("unique_visits", _F),
    "visits": ("visits", _F),
}
KEYS: Mapping[str, tuple[str, pl.DataType]] = {
    "customVariable1": ("raw_phone", _S),
    "ip": ("ip", _S),
    "osVersion": ("os_version", _S),
    "browserVersion": ("browser_version", _S),
    "costSources": ("cost_sources", pl.List(pl.String())),
    **METRIC_KEYS,
}

# The columns a page is written with (COPY), in this order.
COLUMNS = (
    "job_id", "custom_variable_1", "invalid_reason", "country_code", "ip", "os_version",
    "browser_version", "category", "cost_sources",
    *(column for column, _ in METRIC_KEYS.values()),
)  # fmt: skip


def report_query(
    window: Window, source_id: str, *, tz: str, currency: str, page_size: int
) -> ReportQuery:
    return ReportQuery(
        window=window,
        # No `column=`: Voluum sends every column of the grouping, and the account's
        # custom conversions need not be named in advance.
        group_by=GROUP_BY,
        filters=(("traffic-source", source_id),),
        tz=tz,
        currency=currency,
        page_size=page_size,
    )


def report_rows(
    rows_json: bytes,
    rules: Sequence[OsRule],
    *,
    job_id: str,
    cipher: PhoneCipher | None,
    default_code: str,
) -> pl.DataFrame:
    """One page as rows of `api_voluum_ts_sources` (COLUMNS), every row kept."""
    frame = columns_of_json(rows_json, KEYS)
    frame = with_phone(frame, "raw_phone", cipher=cipher, default_code=default_code)
    frame = with_category(frame, rules, source="os_version", into="category")
    return frame.with_columns(
        pl.lit(job_id).alias("job_id"),
        pl.col("cost_sources").list.join(","),
    ).select(COLUMNS)
