"""The deadline calendar: every open application deadline as an iCalendar event.

Students add one feed to their calendar app instead of copying dates out of messages. Each job is
one event whose UID is derived from the portal's job id, so a moved deadline updates the event in
place (its SEQUENCE grows with the deadline) rather than adding a second one, and a job whose
deadline has passed or was removed drops out of the feed. Deadlines outside a sane range (portals
use year 9999 for "no deadline") are treated as no deadline. Plain functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar

PRODID = "-//jiit-assets//placement deadlines//EN"
UID_DOMAIN = "jiit-assets"
# Deadlines further out than this are placeholders ("no deadline"), not dates to put in a calendar.
MAX_DEADLINE_AHEAD = timedelta(days=400)
ALARMS_BEFORE = (timedelta(hours=24), timedelta(hours=3))


@dataclass(frozen=True)
class Deadline:
    job_id: str
    company: str
    role: str
    closes_at: datetime
    location: str | None = None


def deadline_from_job(job: Mapping[str, Any], now: datetime) -> Deadline | None:
    """The job's open deadline, or None when it has none, it passed, or it is a placeholder."""
    value = job.get("deadline")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        closes_at = datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if closes_at <= now or closes_at - now > MAX_DEADLINE_AHEAD:
        return None
    location = str(job.get("location") or "").strip()
    return Deadline(
        job_id=str(job.get("id") or job.get("_id")),
        company=_one_line(job.get("company")) or "A company",
        role=_one_line(job.get("job_profile")) or "a role",
        closes_at=closes_at,
        location=location if location and location != "Unknown" else None,
    )


def _one_line(value: Any) -> str:
    """Portal text as one short line: calendar apps show summaries on one line."""
    return " ".join(str(value or "").split())[:200]


def open_deadlines(jobs: Iterable[Mapping[str, Any]], now: datetime) -> list[Deadline]:
    deadlines = [d for d in (deadline_from_job(job, now) for job in jobs) if d is not None]
    return sorted(deadlines, key=lambda d: (d.closes_at, d.job_id))


def calendar_feed(deadlines: Iterable[Deadline], job_url: Callable[[str], str], name: str) -> bytes:
    """An RFC 5545 calendar with one event (and two alarms) per deadline."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Kolkata")
    for deadline in deadlines:
        calendar.add_component(_event(deadline, job_url(deadline.job_id)))
    return bytes(calendar.to_ical())


def _event(deadline: Deadline, url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"deadline-{deadline.job_id}@{UID_DOMAIN}")
    event.add("summary", f"Apply: {deadline.company} – {deadline.role}")
    event.add("dtstart", deadline.closes_at - timedelta(minutes=30))
    event.add("dtend", deadline.closes_at)
    # Calendar apps replace an event when SEQUENCE grows: derive it from the deadline itself.
    event.add("sequence", int(deadline.closes_at.timestamp() // 60) % 2_000_000_000)
    event.add("dtstamp", deadline.closes_at)
    event.add("url", url)
    event.add("description", f"Application deadline for {deadline.role} at {deadline.company}.\n{url}")
    if deadline.location:
        event.add("location", deadline.location)
    for before in ALARMS_BEFORE:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add(
            "description",
            f"{deadline.company}: applications close in {int(before.total_seconds() // 3600)} h",
        )
        alarm.add("trigger", -(before - timedelta(minutes=30)))
        event.add_component(alarm)
    return event
