"""Quiet hours in delivery: held recipients stay open (pending), released at 07:00 IST."""

from __future__ import annotations

from datetime import UTC, datetime

from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState
from jiit_assets.defs.delivery.outcome import settle_channel
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.targeting import NoticeTargeting, TargetNotice, hold_quiet

QUIET = Profile(quiet_hours=True)
# 23:30 IST on Dec 1 is 18:00 UTC; 06:59 IST on Dec 2 is 01:29 UTC; 07:00 IST is 01:30 UTC.
LATE_EVENING = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
BEFORE_SEVEN = datetime(2026, 12, 2, 1, 29, tzinfo=UTC)
SEVEN = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)


def entries_for() -> dict[str, dict[str, LedgerEntry]]:
    return {"superset:1": {}}


def recipients() -> dict[str, Profile | None]:
    return {"quiet": QUIET, "awake": Profile(), "nobody": None, "channel": QUIET}


def test_quiet_subscribers_are_held_across_the_ist_day_boundary() -> None:
    for now in (LATE_EVENING, BEFORE_SEVEN):
        entries = entries_for()
        held = hold_quiet(entries, {"superset:1": 2}, recipients(), "telegram", now, configured=["channel"])
        assert held == {"quiet"}
        entry = entries["superset:1"]["quiet"]
        assert entry.state == LedgerState.RETRY and entry.revision == 2 and not entry.done
        # The notice stays pending on the channel while a recipient is held (not sent, not failed).
        assert settle_channel(list(entries["superset:1"].values())) == "pending"
    assert hold_quiet(entries_for(), {"superset:1": 1}, recipients(), "telegram", SEVEN) == set()


def test_a_notice_the_quiet_subscriber_does_not_want_is_not_held() -> None:
    targeting = NoticeTargeting({"superset:1": TargetNotice("superset:1", 1, "webinar", "acme")})
    entries = entries_for()
    profiles: dict[str, Profile | None] = {
        "quiet": Profile(quiet_hours=True, categories=frozenset({"job_posting"}))
    }
    assert targeting.close_unwanted(entries, profiles, "telegram") == 1
    hold_quiet(entries, {"superset:1": 1}, profiles, "telegram", LATE_EVENING)
    assert entries["superset:1"]["quiet"].state == LedgerState.NOT_WANTED
    assert settle_channel(list(entries["superset:1"].values())) == "sent"
