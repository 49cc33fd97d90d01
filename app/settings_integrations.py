"""Reading the integrations' settings: a missing or broken one disables only itself,
with one notice that names every problem (never a secret's value)."""

from __future__ import annotations

import binascii
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.settings import (
    EncryptionSettings,
    HlrSettings,
    MessageWhizSettings,
    OngageSettings,
    Secret,
    VoluumSettings,
    decode_key,
)
from app.settings_env import EnvReader, default_of


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# A scheme and a host; the rest is the vendor's business.
_BASE_URL = re.compile(r"^https?://[^/\s]+\S*$", re.IGNORECASE)


class IntegrationReader(EnvReader):
    def _required(self, integration: str, names: tuple[str, ...], notices: list[str]) -> bool:
        missing = [name for name in names if self._get(name) is None]
        if missing:
            notices.append(f"{integration} disabled: {', '.join(missing)} not set")
            return False
        return True

    def _disabled(self, integration: str, problems: list[str], notices: list[str]) -> bool:
        """True, with one notice naming every problem, when the integration cannot run."""
        if problems:
            notices.append(f"{integration} disabled: {'; '.join(problems)}")
        return bool(problems)

    def _base_url(self, name: str, group: type[Any], field: str, problems: list[str]) -> str:
        raw = self._get(name)
        if raw is None:
            return str(default_of(group, field))
        if not _BASE_URL.match(raw):
            # The value is not echoed: a proxy's URL may carry a password.
            problems.append(f"{name} must be a URL starting with http:// or https://")
        return raw.rstrip("/")

    def _voluum(self, notices: list[str]) -> VoluumSettings | None:
        if not self._required("voluum", ("VOLUUM_ACCESS_ID", "VOLUUM_ACCESS_KEY"), notices):
            return None
        problems: list[str] = []
        base_url = self._base_url("VOLUUM_BASE_URL", VoluumSettings, "base_url", problems)
        timezone = self._get("VOLUUM_TIMEZONE") or default_of(VoluumSettings, "timezone")
        if not _is_zone(timezone):
            problems.append(f"VOLUUM_TIMEZONE must be an IANA zone, got {timezone!r}")
        currency = (self._get("VOLUUM_CURRENCY") or default_of(VoluumSettings, "currency")).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(f"VOLUUM_CURRENCY must be a 3-letter code, got {currency!r}")
        page_size = self._int(
            "VOLUUM_PAGE_SIZE",
            default_of(VoluumSettings, "page_size"),
            minimum=1,
            problems=problems,
        )
        if self._disabled("voluum", problems, notices):
            return None
        sources = self._get("VOLUUM_TRAFFIC_SOURCE_IDS") or ""
        return VoluumSettings(
            access_id=self._get("VOLUUM_ACCESS_ID") or "",
            access_key=Secret(self._get("VOLUUM_ACCESS_KEY") or ""),
            base_url=base_url,
            traffic_source_ids=tuple(s.strip() for s in sources.split(",") if s.strip()),
            timezone=timezone,
            currency=currency,
            page_size=page_size,
        )

    def _ongage(self, notices: list[str]) -> OngageSettings | None:
        names = ("LIST_ID", "X_USERNAME", "X_PASSWORD", "X_ACCOUNT_CODE")
        if not self._required("ongage", names, notices):
            return None
        problems: list[str] = []
        base_url = self._base_url("ONGAGE_BASE_URL", OngageSettings, "base_url", problems)
        list_id = self._get("LIST_ID") or ""
        if not list_id.isascii() or not list_id.isdigit():
            problems.append(f"LIST_ID must be an Ongage list id (digits), got {list_id!r}")
        if self._disabled("ongage", problems, notices):
            return None
        return OngageSettings(
            list_id=list_id,
            username=self._get("X_USERNAME") or "",
            password=Secret(self._get("X_PASSWORD") or ""),
            account_code=self._get("X_ACCOUNT_CODE") or "",
            base_url=base_url,
        )

    def _messagewhiz(self, notices: list[str]) -> MessageWhizSettings | None:
        if not self._required("messagewhiz", ("MMD_API_KEY",), notices):
            return None
        problems: list[str] = []
        base_url = self._base_url("MESSAGEWHIZ_BASE_URL", MessageWhizSettings, "base_url", problems)
        if self._disabled("messagewhiz", problems, notices):
            return None
        return MessageWhizSettings(
            api_key=Secret(self._get("MMD_API_KEY") or ""), base_url=base_url
        )

    def _hlr(self, notices: list[str]) -> HlrSettings | None:
        if not self._required("hlr", ("HLRLOOKUP_APIKEY", "HLRLOOKUP_SECRET"), notices):
            return None
        problems: list[str] = []
        poll_max = self._int(
            "HLR_POLL_MAX_SECONDS",
            default_of(HlrSettings, "poll_max_seconds"),
            minimum=1,
            problems=problems,
        )
        poll_every = self._int(
            "HLR_POLL_EVERY_SECONDS",
            default_of(HlrSettings, "poll_every_seconds"),
            minimum=1,
            problems=problems,
        )
        cache_days = self._int(
            "HLR_CACHE_DAYS",
            default_of(HlrSettings, "cache_days"),
            minimum=0,
            problems=problems,
        )
        sync_max = self._int(
            "HLR_SYNC_MAX_NUMBERS",
            default_of(HlrSettings, "sync_max_numbers"),
            minimum=0,
            problems=problems,
        )
        api_base_url = self._base_url("HLR_API_BASE_URL", HlrSettings, "api_base_url", problems)
        batch_base_url = self._base_url(
            "HLR_BATCH_BASE_URL", HlrSettings, "batch_base_url", problems
        )
        if self._disabled("hlr", problems, notices):
            return None
        return HlrSettings(
            api_key=Secret(self._get("HLRLOOKUP_APIKEY") or ""),
            secret=Secret(self._get("HLRLOOKUP_SECRET") or ""),
            poll_max_seconds=poll_max,
            poll_every_seconds=poll_every,
            api_base_url=api_base_url,
            batch_base_url=batch_base_url,
            cache_days=cache_days,
            sync_max_numbers=sync_max,
        )

    def _encryption(self, notices: list[str]) -> EncryptionSettings | None:
        raw = self._get("AES_KEY")
        if raw is None:
            notices.append("encryption disabled: AES_KEY not set")
            return None
        try:
            key = decode_key(raw)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != 32:
            # Never echo the value: a near-miss key is still most of a secret.
            found = f"decodes to {len(key)} bytes" if key else "not base64"
            notices.append(
                f"encryption disabled: AES_KEY must be url-safe base64 of 32 bytes ({found})"
            )
            return None
        return EncryptionSettings(key=Secret(raw))
