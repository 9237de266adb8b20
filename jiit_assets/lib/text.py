"""Small text rules shared by every source: company keys, money, dates in IST."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from jiit_assets.lib.ranges import checked_datetime, epoch_to_datetime

IST = timezone(timedelta(hours=5, minutes=30), name="IST")

# Words that do not tell two companies apart ("Acme Corp" and "Acme Private Limited" are one).
_COMPANY_NOISE = frozenset(
    "pvt private ltd limited inc incorporated llp llc corp corporation co company plc gmbh "
    "india the technologies technology tech solutions services software systems labs".split()
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def company_key(name: str | None) -> str:
    """A normalised company name for matching across sources; "" when nothing distinctive is left.

    Legal suffixes and generic words are dropped unless nothing else would remain
    ("Tech Solutions" keeps its words).
    """
    if not name:
        return ""
    words = [word for word in _NON_WORD.split(name.lower().replace("&", " and ")) if word]
    distinctive = [word for word in words if word not in _COMPANY_NOISE]
    return " ".join(distinctive or words)


def format_ist(moment: datetime, with_at: bool = True) -> str:
    """``July 17, 2025 at 12:01 PM IST`` (the portal's own convention); naive input is taken as UTC."""
    checked = checked_datetime(moment)
    if checked is None:
        return "an unknown date"
    local = checked.astimezone(IST)
    separator = " at " if with_at else ", "
    return f"{local:%B} {local.day:02d}, {local.year}{separator}{local:%I:%M %p} IST"


def from_epoch_ms(value: object) -> datetime | None:
    """An aware UTC datetime from epoch milliseconds (or seconds, when the number is small).

    None when the value is not a number or lies outside the plausible window of ``lib.ranges``
    (placeholders such as ``253402300799000`` for "no deadline").
    """
    return epoch_to_datetime(value)


def format_lpa(package_lpa: float | None) -> str | None:
    """``₹12 LPA`` / ``₹8.65 LPA``; None when unknown or not positive."""
    if package_lpa is None or package_lpa <= 0:
        return None
    text = f"{package_lpa:.2f}".rstrip("0").rstrip(".")
    return f"₹{text} LPA"


def json_object(text: str | None) -> dict[str, Any]:
    """Stored JSON (a sensor cursor) as a dict; empty, malformed or non-object text gives ``{}``,
    so a damaged cursor restarts a sensor from its defaults instead of failing every tick."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
