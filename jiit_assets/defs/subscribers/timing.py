"""When a subscriber wants to hear: instantly, in a daily digest, and never during quiet hours.

Times are India Standard Time, the students' clock. Quiet hours (when switched on) run from 23:00
to 07:00: an instant message that falls inside them waits until 07:00. A daily digest is due once
the subscriber's digest hour has come on a given IST day; it lists the notices since the previous
digest's cutoff and is sent once per subscriber and day (the day is part of its ledger key; see
delivery/digest.py). Plain functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from jiit_assets.defs.notices.render import escape_attribute, escape_text, safe_url, split_telegram_html
from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.lib.text import IST

QUIET_START, QUIET_END = time(23, 0), time(7, 0)


def wants_instant(profile: Profile) -> bool:
    return profile.digest in (DigestMode.INSTANT, DigestMode.BOTH)


def wants_digest(profile: Profile) -> bool:
    return profile.digest in (DigestMode.DAILY, DigestMode.BOTH)


def quiet_until(profile: Profile, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (an aware datetime), or None to send now."""
    if not profile.quiet_hours:
        return None
    local = now.astimezone(IST)
    if QUIET_END <= local.time() < QUIET_START:
        return None
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=IST)


def digest_day_due(profile: Profile, now: datetime) -> date | None:
    """The IST day whose digest is due at ``now`` for this subscriber, or None."""
    if not wants_digest(profile):
        return None
    local = now.astimezone(IST)
    return local.date() if local.hour >= profile.digest_hour else None


def ist_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=IST)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str | None
    created_at: datetime


def digest_messages(day: date, items: Sequence[DigestItem]) -> list[str]:
    """One Telegram message (split within Telegram's limits) listing the day's notices, or none."""
    if not items:
        return []
    lines = [f"<b>📋 Placement digest for {day:%B} {day.day}, {day.year}</b>", ""]
    for index, item in enumerate(sorted(items, key=lambda i: i.created_at), start=1):
        at = item.created_at.astimezone(IST)
        title = escape_text(item.title)
        url = safe_url(item.url)
        link = f'<a href="{escape_attribute(url)}">{title}</a>' if url else title
        lines.append(f"{index}. {at:%I:%M %p} · {link}")
    return split_telegram_html("\n".join(lines))
