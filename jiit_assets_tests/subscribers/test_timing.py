"""Quiet hours and daily digests on the IST clock, across the day boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from jiit_assets.defs.notices.render import telegram_length
from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.defs.subscribers.timing import (
    MAX_MODE_CHANGES,
    MODES_FIELD,
    DigestItem,
    ModeChange,
    digest_day_due,
    digest_messages,
    ist_day_bounds,
    mode_at,
    mode_change_fields,
    mode_changes,
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


def test_a_digest_mode_change_is_stamped_only_when_the_mode_changes() -> None:
    daily = Profile(digest=DigestMode.DAILY)
    assert mode_change_fields(None, daily, ist(1, 9)) == {}  # a new subscriber: nothing to stamp
    stored = {"profile": Profile().to_document()}
    assert mode_change_fields(stored, Profile(batch=2027), ist(1, 9)) == {}
    fields = mode_change_fields(stored, daily, ist(1, 9))
    changes = mode_changes(fields[MODES_FIELD])
    assert changes == (ModeChange(ist(1, 9), DigestMode.INSTANT, DigestMode.DAILY),)
    stored = {"profile": daily.to_document(), **fields}
    back = mode_changes(mode_change_fields(stored, Profile(), ist(1, 15))[MODES_FIELD])
    assert [change.since for change in back] == [ist(1, 9), ist(1, 15)]
    # The mode at a moment: instant before 09:00, daily until 15:00, instant after.
    assert [mode_at(back, DigestMode.INSTANT, ist(1, hour)) for hour in (8, 9, 12, 16)] == [
        DigestMode.INSTANT,
        DigestMode.DAILY,
        DigestMode.DAILY,
        DigestMode.INSTANT,
    ]
    assert mode_at((), DigestMode.BOTH, ist(1, 8)) == DigestMode.BOTH
    # Changes a digest can no longer look back to are dropped, and the list stays short.
    later = mode_changes(
        mode_change_fields({"profile": Profile().to_document(), **fields}, daily, ist(10, 9))[MODES_FIELD]
    )
    assert [change.since for change in later] == [ist(10, 9)]
    many = [
        ModeChange(ist(1, 0) + timedelta(minutes=m), DigestMode.INSTANT, DigestMode.DAILY) for m in range(40)
    ]
    stored = {"profile": daily.to_document(), MODES_FIELD: [change.to_document() for change in many]}
    kept = mode_change_fields(stored, Profile(), ist(1, 12))[MODES_FIELD]
    assert len(kept) == MAX_MODE_CHANGES and kept[-1]["after"] == "instant"
    assert (
        mode_changes([{"since": "yesterday"}, {"since": ist(1, 9), "before": "weekly", "after": "daily"}])
        == ()
    )
