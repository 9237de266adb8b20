"""Dates and numbers from outside, range-checked where they enter the pipeline.

Mail headers, portal payloads and web pages carry dates and numbers nobody validated: a
``Date: Fri, 31 Dec 9999 23:59:59 -2359`` header, a "no deadline" placeholder of
``253402300799000`` milliseconds, a count of ``99999999999999999999``. Converting such a value
(time-zone arithmetic, ``fromtimestamp``, a BSON int64) raises ``OverflowError`` or ``ValueError``
far from where it came in, and one poison value then stops a whole run, every run. Every part
passes outside dates and numbers through these functions instead: a value outside the plausible
range becomes ``None`` ("unknown") together with a short reason the caller records, never an
exception. The range is generous (1990 to 2200) so that no real placement date is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Generic, TypeVar

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# The largest integer BSON stores (int64); MongoDB refuses larger Python ints outright.
BSON_INT_MAX = 2**63 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class Checked(Generic[T]):
    """A value that passed its range check, or ``None`` and the reason it did not."""

    value: T | None
    problem: str | None = None


def checked_datetime(value: datetime | None, what: str = "date", tz: tzinfo = UTC) -> Checked[datetime]:
    """``value`` as an aware datetime in ``tz`` if it lies in [EARLIEST, LATEST), else unknown.

    A naive value is taken as UTC. The offset arithmetic itself is guarded: an aware value near
    year 1 or 9999 cannot be converted at all.
    """
    if value is None:
        return Checked(None)
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        in_utc = aware.astimezone(UTC)
        if not EARLIEST <= in_utc < LATEST:
            return Checked(None, f"{what} {_show(value)} is outside {EARLIEST.year}-{LATEST.year}")
        return Checked(in_utc.astimezone(tz))
    except (OverflowError, ValueError):
        return Checked(None, f"{what} {_show(value)} cannot be converted to a time zone")


def datetime_from_epoch(
    value: object, what: str = "timestamp", unit: str = "ms", tz: tzinfo = UTC
) -> Checked[datetime]:
    """A Unix timestamp (``unit`` "ms" or "s") from outside as a range-checked aware datetime."""
    number = checked_number(value, what)
    if number.value is None:
        return Checked(None, number.problem)
    seconds = number.value / 1000 if unit == "ms" else number.value
    low, high = EARLIEST.timestamp(), LATEST.timestamp()
    if not low <= seconds < high:
        return Checked(None, f"{what} {_show(value)} ({unit}) is outside {EARLIEST.year}-{LATEST.year}")
    return checked_datetime(EARLIEST + timedelta(seconds=seconds - low), what, tz)


def checked_number(value: object, what: str = "number") -> Checked[float]:
    """A finite number (int, float or numeric string) from outside; booleans are not numbers."""
    if value is None:
        return Checked(None)
    if isinstance(value, bool):
        return Checked(None, f"{what} {_show(value)} is not a number")
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except (ValueError, OverflowError):
        return Checked(None, f"{what} {_show(value)} is not a number")
    if not math.isfinite(number):
        return Checked(None, f"{what} {_show(value)} is not a finite number")
    return Checked(number)


def checked_int(value: object, what: str = "number", low: int = 0, high: int = BSON_INT_MAX) -> Checked[int]:
    """A whole number in [low, high] (by default what BSON can store), else unknown with a reason."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        as_float = checked_number(value, what)
        if as_float.value is None:
            return Checked(None, as_float.problem)
        if not as_float.value.is_integer():
            return Checked(None, f"{what} {_show(value)} is not a whole number")
        number = int(as_float.value)
    if not low <= number <= high:
        return Checked(None, f"{what} {_show(value)} is outside {low}-{high}")
    return Checked(number)


def _show(value: object) -> str:
    """A short, safe rendering of the offending value for the recorded reason."""
    text = value.isoformat() if isinstance(value, datetime) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
