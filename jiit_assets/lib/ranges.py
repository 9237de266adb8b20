"""Range checks for dates and numbers that come from outside (portal JSON, mail headers).

Python and BSON both have hard limits: a datetime ends at year 9999 (and converting the last day
of it to IST overflows), a BSON integer is 64-bit, a float can be infinite. Portals use values at
those limits as placeholders ("no deadline" = ``253402300799000``) and a changed field type can
send anything. Every such value is checked where it enters: a value outside the plausible window
becomes "unknown" (None) and the caller records the reason, so nothing downstream (rendering,
metadata, the BSON write) ever sees it and no input raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# A date outside these years is a placeholder or an error, never a real placement date.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Epoch values above this are milliseconds, below it seconds (10^10 s is the year 2286).
_MILLISECONDS_FROM = 10_000_000_000


def checked_datetime(value: datetime) -> datetime | None:
    """An aware UTC datetime inside the plausible window, or None."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        aware = aware.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return aware if EARLIEST <= aware < LATEST else None


def epoch_to_datetime(value: object) -> datetime | None:
    """Epoch milliseconds (or seconds, when small) as an aware UTC datetime; None when out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    seconds = value / 1000 if value > _MILLISECONDS_FROM else float(value)
    if not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def epoch_problem(name: str, value: object) -> str | None:
    """Why a present epoch field is unusable (None when it is absent or fine)."""
    if value is None or value == "":
        return None
    if epoch_to_datetime(value) is not None:
        return None
    return f"{name}: {str(value)[:40]!r} is not a date between {EARLIEST.year} and {LATEST.year - 1}"


def bounded_number(value: float, maximum: float) -> float | None:
    """``value`` when finite and within ``[0, maximum]``; None otherwise."""
    return value if math.isfinite(value) and 0 <= value <= maximum else None


def bson_safe(value: Any, path: str = "", problems: list[str] | None = None) -> Any:
    """``value`` with every integer outside 64 bits and every non-finite float replaced by its text.

    The replaced values are kept as strings (so nothing the portal sent is lost) and each one is
    described in ``problems``.
    """
    if problems is None:
        problems = []
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return value
        problems.append(f"{path or 'value'}: integer {str(value)[:40]} does not fit 64 bits; stored as text")
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        problems.append(f"{path or 'value'}: {value} is not a finite number; stored as text")
        return str(value)
    if isinstance(value, Mapping):
        return {
            key: bson_safe(item, f"{path}.{key}" if path else str(key), problems)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [bson_safe(item, f"{path}[{index}]", problems) for index, item in enumerate(value)]
    return value
