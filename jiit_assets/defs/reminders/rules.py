"""When a deadline reminder is due, and what it says.

Each open deadline gets one reminder per offset (by default 24 h and 3 h before it). A reminder is
identified by its job, its offset and the deadline it reminds of, so a moved deadline gets fresh
reminders for the new date while the old ones simply stop being due, and a deadline that passed
or disappeared yields none. A reminder is due from its time until the deadline itself: if the
pipeline was down at the due time, the reminder still goes out, late but before the deadline.
Plain functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from jiit_assets.defs.reminders.calendar import Deadline
from jiit_assets.lib.text import format_ist

DEFAULT_OFFSETS = (timedelta(hours=24), timedelta(hours=3))


@dataclass(frozen=True)
class Reminder:
    deadline: Deadline
    before: timedelta

    @property
    def due_at(self) -> datetime:
        return self.deadline.closes_at - self.before

    @property
    def reminder_id(self) -> str:
        hours = int(self.before.total_seconds() // 3600)
        return f"{self.deadline.job_id}:{hours}h:{int(self.deadline.closes_at.timestamp())}"

    @property
    def title(self) -> str:
        return f"⏰ {self.deadline.company}: applications close in {_hours_text(self.before)}"

    @property
    def text(self) -> str:
        closes = format_ist(self.deadline.closes_at)
        return f"Applications for {self.deadline.role} at {self.deadline.company} close on {closes}."


def _hours_text(before: timedelta) -> str:
    hours = before.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """``"24,3"`` (hours before the deadline) → offsets; raises ValueError naming a bad value."""
    offsets: list[timedelta] = []
    for part in text.split(","):
        part = part.strip().lower().removesuffix("h")
        if not part:
            continue
        hours = float(part)
        if not 0 < hours <= 24 * 14:
            raise ValueError(f"reminder offset {part} h is outside 0 to 336 hours")
        offsets.append(timedelta(hours=hours))
    return tuple(sorted(set(offsets), reverse=True)) or DEFAULT_OFFSETS


def reminders_for(
    deadlines: Iterable[Deadline], offsets: Sequence[timedelta] = DEFAULT_OFFSETS
) -> list[Reminder]:
    reminders = [Reminder(deadline, before) for deadline in deadlines for before in offsets]
    return sorted(reminders, key=lambda r: (r.due_at, r.reminder_id))


def due(reminders: Iterable[Reminder], now: datetime) -> list[Reminder]:
    """Reminders whose time has come and whose deadline has not yet passed."""
    return [r for r in reminders if r.due_at <= now < r.deadline.closes_at]


def upcoming(reminders: Iterable[Reminder], now: datetime, limit: int = 10) -> list[Reminder]:
    return [r for r in reminders if r.due_at > now][:limit]
