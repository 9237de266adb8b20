"""Reminder timing on realistic deadlines: due, moved, cancelled, late but before the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jiit_assets.defs.reminders.calendar import Deadline
from jiit_assets.defs.reminders.rules import due, parse_offsets, reminders_for, upcoming

CLOSES = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)  # 18:00 IST


def deadline(closes: datetime = CLOSES) -> Deadline:
    return Deadline("JP-7", "Zscaler", "Software Engineer", closes)


def test_each_offset_is_due_from_its_time_until_the_deadline() -> None:
    reminders = reminders_for([deadline()])
    assert [r.due_at for r in reminders] == [CLOSES - timedelta(hours=24), CLOSES - timedelta(hours=3)]
    assert due(reminders, CLOSES - timedelta(hours=25)) == []
    [day_before] = due(reminders, CLOSES - timedelta(hours=23))
    assert "close in 24 hours" in day_before.title and "December 03, 2026 at 06:00 PM IST" in day_before.text
    assert len(due(reminders, CLOSES - timedelta(hours=1))) == 2  # a late reminder still goes out
    assert due(reminders, CLOSES) == []  # never after the deadline


def test_a_moved_deadline_has_new_reminder_ids_and_the_old_ones_are_no_longer_due() -> None:
    old = {r.reminder_id for r in reminders_for([deadline()])}
    moved = reminders_for([deadline(CLOSES + timedelta(days=2))])
    assert not old & {r.reminder_id for r in moved}
    assert due(moved, CLOSES - timedelta(hours=1)) == []
    assert [r.due_at for r in upcoming(moved, CLOSES)] == sorted(r.due_at for r in moved)


def test_offsets_come_from_configuration_and_bad_values_are_named() -> None:
    assert parse_offsets("3, 24h,24") == (timedelta(hours=24), timedelta(hours=3))
    assert parse_offsets("") == (timedelta(hours=24), timedelta(hours=3))
    with pytest.raises(ValueError, match="-5"):
        parse_offsets("-5")
