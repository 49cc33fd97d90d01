"""Conversions (legacy §3.5): what is asked of Voluum, and one page of it as rows of
`api_voluum_conversions`, with each one's push decision made up front."""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from app.clients.voluum import ReportQuery, Window
from app.encryption.crypto import PhoneCipher
from app.settings import VoluumSyncSettings
from app.voluum.frames import columns_of_json, with_phone

_F, _S = pl.Float64(), pl.String()


def _snake(key: str) -> str:
    """customVariable10 → custom_variable_10, clickId → click_id."""
    return re.sub(r"(?<=[a-z])(?=[A-Z0-9])", "_", key).lower()


_TEXT_KEYS = (
    "clickId", "transactionId", "conversionType", "conversionTypeId", "visitTimestamp",
    "postbackTimestamp", "campaignId", "campaignName", "offerId", "offerName", "landerId",
    "landerName", "flowId", "pathId", "trafficSourceId", "trafficSourceName",
    "affiliateNetworkId", "affiliateNetworkName", "countryCode", "countryName", "region",
    "city", "ip", "isp", "connectionType", "deviceName", "os", "osVersion", "browser",
    "browserVersion", "userAgent", "language", "referrer", "externalId", "externalIdType",
    *(f"customVariable{n}" for n in range(1, 11)),
)  # fmt: skip
KEYS: Mapping[str, tuple[str, pl.DataType]] = {
    **{key: (_snake(key), _S) for key in _TEXT_KEYS},
    # The table keeps Voluum's `device` under that name; reports call it deviceName.
    "device": ("device", _S),
    "revenue": ("revenue", _F),
    "cost": ("cost", _F),
    "profit": ("profit", _F),
}
# Voluum answers timestamps on a 12-hour clock, without a zone: the request's zone.
TIMESTAMP_FORMAT = "%Y-%m-%d %I:%M:%S %p"

# The columns a page is staged with (COPY), in this order.
COLUMNS = (
    "click_id", "transaction_id", "conversion_type", "conversion_type_id",
    "postback_timestamp", "visit_timestamp", "custom_variable_1", "invalid_reason",
    *(f"custom_variable_{n}" for n in range(2, 11)),
    "affiliate_network_id", "affiliate_network_name", "browser", "browser_version",
    "campaign_id", "campaign_name", "city", "connection_type", "cost", "country_code",
    "country_name", "device", "device_name", "external_id", "external_id_type", "flow_id",
    "ip", "isp", "lander_id", "lander_name", "language", "offer_id", "offer_name", "os",
    "os_version", "path_id", "profit", "referrer", "region", "revenue",
    "traffic_source_id", "traffic_source_name", "user_agent", "source", "generated_email",
    "push_status", "push_reason",
)  # fmt: skip


def conversions_query(window: Window, *, tz: str, currency: str, page_size: int) -> ReportQuery:
    return ReportQuery(
        window=window,
        columns=tuple(k for k in KEYS if k != "device"),
        # Windows by postback time: a late conversion of an old visit is still fetched.
        conversion_time_mode="CONVERSION",
        tz=tz,
        currency=currency,
        page_size=page_size,
    )


def conversion_rows(
    rows_json: bytes,
    *,
    tz: str,
    sync: VoluumSyncSettings,
    cipher: PhoneCipher | None,
    default_code: str,
) -> pl.DataFrame:
    """One page as staged conversions (COLUMNS). A row without a click id is dropped:
    it cannot be told apart from any other."""
    frame = columns_of_json(rows_json, KEYS).filter(pl.col("click_id").str.strip_chars() != "")
    # The conversion's own country column (Voluum's countryCode, the visitor's) is kept;
    # the phone's calling code fills it when Voluum sent none.
    frame = frame.rename({"country_code": "visit_country"})
    frame = with_phone(frame, "custom_variable_1", cipher=cipher, default_code=default_code)
    country = (
        pl.when(pl.col("visit_country").str.contains(r"^[A-Za-z]{2}$"))
        .then(pl.col("visit_country").str.to_uppercase())
        .otherwise(pl.col("country_code"))
        .fill_null("DEF")
    )
    kind = (
        pl.when(pl.col("conversion_type").str.to_uppercase() == "FTD")
        .then(pl.lit("FTD"))
        .otherwise(pl.lit("REG"))
    )
    frame = frame.with_columns(
        country.alias("country_code"),
        kind.alias("conversion_type"),
        # '' and null are one "no transaction id" (the key treats NULLs as equal).
        pl.when(pl.col("transaction_id").str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col("transaction_id"))
        .alias("transaction_id"),
        _timestamp("postback_timestamp", tz),
        _timestamp("visit_timestamp", tz),
    )
    valid = pl.col("invalid_reason").is_null()
    before, _, after = sync.ongage_email_template.partition("{phone}")
    email = pl.concat_str(pl.lit(before), pl.col("custom_variable_1"), pl.lit(after))
    pushed_country = pl.col("country_code").is_in(list(sync.ongage_countries))
    return frame.with_columns(
        (pl.col("country_code") + "_" + pl.col("conversion_type")).alias("source"),
        pl.when(valid).then(email).alias("generated_email"),
        pl.when(valid & pushed_country)
        .then(pl.lit("pending"))
        .otherwise(pl.lit("skipped"))
        .alias("push_status"),
        pl.when(~valid)
        .then(pl.lit("invalid phone: ") + pl.col("invalid_reason"))
        .when(~pushed_country)
        .then(pl.lit("country not pushed: ") + pl.col("country_code"))
        .alias("push_reason"),
    ).select(COLUMNS)


def _timestamp(column: str, tz: str) -> pl.Expr:
    """`2026-01-29 09:31:40 AM` in `tz`, as an instant; null when unreadable."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_datetime(TIMESTAMP_FORMAT, strict=False)
        .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .alias(column)
    )
