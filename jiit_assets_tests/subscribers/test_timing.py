"""Quiet hours and daily digests on the IST clock, across the day boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from jiit_assets.defs.notices.render import telegram_length
from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.defs.subscribers.timing import (
    DigestItem,
    digest_day_due,
    digest_messages,
    ist_day_bounds,
    quiet_until,
    wants_instant,
)
from jiit_assets.lib.text import IST


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def test_quiet_hours_hold_night_messages_until_seven_and_are_off_by_default() -> None:
    quiet = Profile(quiet_hours=True)
    assert quiet_until(Profile(), ist(1, 23, 30)) is None
    assert quiet_until(quiet, ist(1, 22, 59)) is None
    assert quiet_until(quiet, ist(1, 23, 0)) == ist(2, 7)
    assert quiet_until(quiet, ist(2, 3, 15).astimezone(UTC)) == ist(2, 7)
    assert quiet_until(quiet, ist(2, 7, 0)) is None


def test_a_digest_is_due_from_its_hour_for_that_ist_day_only() -> None:
    daily = Profile(digest=DigestMode.DAILY, digest_hour=20)
    assert not wants_instant(daily) and wants_instant(Profile(digest=DigestMode.BOTH))
    assert digest_day_due(Profile(), ist(1, 21)) is None
    assert digest_day_due(daily, ist(1, 19, 59)) is None
    assert digest_day_due(daily, ist(1, 20)) == date(2026, 12, 1)
    # 23:59 IST on the 1st is 18:29 UTC; one minute after midnight IST is a new day, not yet due.
    assert digest_day_due(daily, datetime(2026, 12, 1, 18, 29, tzinfo=UTC)) == date(2026, 12, 1)
    assert digest_day_due(daily, datetime(2026, 12, 1, 18, 31, tzinfo=UTC)) is None
    start, end = ist_day_bounds(date(2026, 12, 2))
    assert start == datetime(2026, 12, 1, 18, 30, tzinfo=UTC) and end - start == timedelta(days=1)


def test_a_long_day_splits_within_telegram_limits_and_escapes_titles() -> None:
    items = [
        DigestItem(
            f"Shortlist <{n}> for Acme & Co — round {n}",
            f"https://campus.example/n/{n}",
            ist(1, 9) + timedelta(minutes=n),
        )
        for n in range(300)
    ]
    messages = digest_messages(date(2026, 12, 1), items)
    assert len(messages) > 1 and all(telegram_length(m) <= 4096 for m in messages)
    assert "Shortlist &lt;0&gt; for Acme &amp; Co" in messages[0]
    assert "Placement digest for December 1, 2026" in messages[0]
    assert digest_messages(date(2026, 12, 1), []) == []
