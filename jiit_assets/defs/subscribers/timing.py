"""When a subscriber wants to hear: instantly, in a daily digest, and never during quiet hours.

Times are India Standard Time, the students' clock. Quiet hours (when switched on) run from 23:00
to 07:00: an instant message that falls inside them waits until 07:00. A daily digest is due once
the subscriber's digest hour has come on a given IST day; it lists the notices since the previous
digest's cutoff and is sent once per subscriber and day (the day is part of its ledger key; see
delivery/digest.py). Plain functions, no I/O.

A change of digest mode is stamped on the subscriber's document (``digest_modes``: when, from what,
to what), because a notice belongs to the mode in force when delivery first handled it: one that
arrived while the subscriber was daily-only waits for a digest (a catch-up digest if they have
left daily mode since), one that arrived while they were instant was sent and is in no digest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from jiit_assets.defs.notices.render import escape_attribute, escape_text, safe_url, split_telegram_html
from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.lib.text import IST
from jiit_assets.lib.vocabulary import aware_utc

QUIET_START, QUIET_END = time(23, 0), time(7, 0)
MODES_FIELD = "digest_modes"
# Digests read a week of listed notices (delivery/digest.py): an older mode change decides nothing.
MODE_HISTORY = timedelta(days=8)
MAX_MODE_CHANGES = 32  # a student switching more often than this between two digests is not expected


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


@dataclass(frozen=True)
class ModeChange:
    """The subscriber's digest mode changed from ``before`` to ``after`` at ``since``."""

    since: datetime
    before: DigestMode
    after: DigestMode

    def to_document(self) -> dict[str, Any]:
        return {"since": self.since, "before": str(self.before), "after": str(self.after)}


def mode_changes(value: Any) -> tuple[ModeChange, ...]:
    """The stored changes, oldest first; damaged ones are skipped."""
    changes = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, Mapping) and isinstance(item.get("since"), datetime):
            try:
                before, after = DigestMode(str(item.get("before"))), DigestMode(str(item.get("after")))
            except ValueError:
                continue
            changes.append(ModeChange(aware_utc(item["since"]), before, after))
    return tuple(sorted(changes, key=lambda change: change.since))


def mode_at(changes: Sequence[ModeChange], current: DigestMode, at: datetime) -> DigestMode:
    """The digest mode in force at ``at``: what the first later change changed from, else the latest."""
    for change in changes:
        if change.since > at:
            return change.before
    return changes[-1].after if changes else current


def mode_change_fields(previous: Mapping[str, Any] | None, profile: Profile, now: datetime) -> dict[str, Any]:
    """What to ``$set`` beside a new profile: a change of digest mode appended to ``digest_modes``.

    Nothing when the mode stays, or for a new subscriber (``previous`` None: nothing was delivered
    to them in any mode yet). Changes older than a digest can look back are dropped.
    """
    if previous is None:
        return {}
    before = Profile.from_document(previous.get("profile")).digest
    if before == profile.digest:
        return {}
    kept = [change for change in mode_changes(previous.get(MODES_FIELD)) if change.since > now - MODE_HISTORY]
    kept.append(ModeChange(now, before, profile.digest))
    return {MODES_FIELD: [change.to_document() for change in kept[-MAX_MODE_CHANGES:]]}
