"""A broadcast as the dashboard and the history file show it: the old 18 keys, formats,
grouping and Voluum windows (legacy-contract §1.7, §3.8). Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clients.messagewhiz import Broadcast, campaign_of
from app.clients.voluum import Window, floor_hour

# Drafts (0) and cancelled (2) broadcasts are not shown or saved (the old rule).
SKIPPED_STATES = frozenset({0, 2})
# The row's keys, in the order the old service sent them (the history CSV's columns).
ROW_KEYS = (
    "Campaign ID", "Broadcast ID", "Name", "Send Date", "Estimated Price", "Recipient Count",
    "BC Unique Clicks", "BC Total Clicks", "CTR", "DLR Delivered Count", "DLR Sent Count",
    "DLR Undelivered Count", "DLR Rejected Count", "Voluum Visits", "Voluum Unique Visits",
    "Click 2 REG", "Reg 2 FTD", "message_body",
)  # fmt: skip
# Voluum sums what a campaign's visits did over this long after the send hour.
VOLUUM_HORIZON = timedelta(hours=24)

Totals = Mapping[str, Any]
TotalsKey = tuple[str, Window]


@dataclass(frozen=True, slots=True)
class Line:
    """One broadcast with its group, its Voluum campaign and the window to ask about."""

    group: str
    broadcast: Broadcast
    campaign_id: str | None
    # None when there is nothing to ask Voluum: no campaign, or not sent yet.
    window: Window | None

    @property
    def totals_key(self) -> TotalsKey | None:
        if self.campaign_id is None or self.window is None:
            return None
        return (self.campaign_id, self.window)


def group_name(name: str) -> str:
    """The list a broadcast was cut from: its name up to the first `_chunk`."""
    return name.split("_chunk", 1)[0]


def voluum_window(sent_at: datetime | None, now: datetime) -> Window | None:
    """From the send hour to 24 h later or the last whole hour, whichever is first (the
    old window). A broadcast sent in the current hour gets that hour (the old service
    asked for an empty window, which Voluum refuses); one not sent yet gets none."""
    if sent_at is None:
        return None
    start, last_hour = floor_hour(sent_at), floor_hour(now)
    if start > last_hour:
        return None
    end = min(start + VOLUUM_HORIZON, last_hour)
    if end <= start:
        end = start + timedelta(hours=1)
    return Window(start, end)


def line_of(broadcast: Broadcast, links: Mapping[int, str], now: datetime) -> Line:
    link_id = broadcast.link_id()
    campaign = campaign_of(links.get(link_id)) if link_id is not None else None
    return Line(
        group=group_name(broadcast.name),
        broadcast=broadcast,
        campaign_id=campaign,
        window=voluum_window(broadcast.sent_at(), now),
    )


def shown(broadcasts: Iterable[Broadcast], search: str | None) -> list[Broadcast]:
    """What the dashboard lists: not skipped, and with `search` in the name (any case)."""
    needle = (search or "").casefold()
    return [
        b
        for b in broadcasts
        if b.state not in SKIPPED_STATES and (not needle or needle in b.name.casefold())
    ]


def grouped(lines: Iterable[Line]) -> list[tuple[str, list[Line]]]:
    """Lines by group, groups in first-seen order (the list is newest first)."""
    groups: dict[str, list[Line]] = {}
    for line in lines:
        groups.setdefault(line.group, []).append(line)
    return list(groups.items())


def _percent(value: object) -> str:
    try:
        return f"{float(value):.2f}%"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "0.00%"


def row(line: Line, totals: Totals | None) -> dict[str, Any]:
    """The 18 keys. Without totals (no campaign, not sent yet) the Voluum figures are 0."""
    b = line.broadcast
    dlr = b.dlr
    clicks = b.broadcastConversion
    figures = totals or {}
    return {
        "Campaign ID": line.campaign_id,
        "Broadcast ID": b.id,
        "Name": b.name,
        "Send Date": (b.send_date or "").split(".", 1)[0],
        "Estimated Price": round((b.estimated_price or 0) / 100, 2),
        "Recipient Count": b.recipient_count or 0,
        "BC Unique Clicks": clicks.uniqueClicks if clicks else 0,
        "BC Total Clicks": clicks.totalClicks if clicks else 0,
        "CTR": _percent(clicks.conversion if clicks else None),
        "DLR Delivered Count": dlr.delivered_count if dlr else 0,
        "DLR Sent Count": dlr.sent_count if dlr else 0,
        "DLR Undelivered Count": dlr.undelivered_count if dlr else 0,
        "DLR Rejected Count": dlr.rejected_count if dlr else 0,
        "Voluum Visits": int(figures.get("visits") or 0),
        "Voluum Unique Visits": int(figures.get("uniqueVisits") or 0),
        # The account's custom conversions (external-apis.md §1.4): Click2Reg, Reg2FTD.
        "Click 2 REG": _percent(figures.get("Click2Reg")),
        # The old service printed this one unformatted.
        "Reg 2 FTD": f"{figures.get('Reg2FTD') or 0}%",
        "message_body": b.message_body or "",
    }
