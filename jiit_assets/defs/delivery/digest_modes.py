"""Digest mode changes: which notices a subscriber's digest owes them after they switch modes.

A notice belongs to the digest mode the subscriber was in when a delivery run first handled it
(its ``listed_at``), read from the changes stamped on their document (``digest_modes``, see
``subscribers/timing.py``):

* listed while **daily** only: not sent at once (the ledger says ``digested``), so it is owed in
  a digest: the next regular one while they still want digests, else one **catch-up digest** at
  the next run once they switched to instant;
* listed while **both**: sent at once and listed in the next regular digest (none owed if they
  are instant now: they have it already);
* listed while **instant**: sent at once and in no digest, even if they are daily now; an instant
  entry still open (quiet hours, an outage) stays instant for the same reason.

Deciding by the mode at ``listed_at``, never by today's profile, is what makes a switch neither
lose nor repeat a notice. A catch-up digest is a ledger item of its own,
``digest:catch-up-<previous cutoff>``, named after the digest it continues, so a run that crashed
after storing it finds it again, and it never shares a ledger ``_id`` with a day's digest. Plain
module, no dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.delivery.outcome import TELEGRAM
from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.defs.subscribers.timing import MODES_FIELD, ModeChange, mode_at, mode_changes
from jiit_assets.lib.vocabulary import aware_utc

Document = dict[str, Any]
CATCH_UP_PREFIX = "digest:catch-up-"
REGULAR_MODES = frozenset({DigestMode.DAILY, DigestMode.BOTH})  # listed in a regular digest
CATCH_UP_MODES = frozenset({DigestMode.DAILY})  # never sent at once: owed after leaving daily mode


def catch_up_notice_id(previous_cutoff: datetime | None) -> str:
    """The catch-up digest continuing the digest that ended at ``previous_cutoff`` (None: no digest yet)."""
    key = aware_utc(previous_cutoff).strftime("%Y%m%dT%H%M%S%fZ") if previous_cutoff else "first"
    return f"{CATCH_UP_PREFIX}{key}"


def catch_up_owed(profile: Profile, changes: Iterable[ModeChange], previous_cutoff: datetime | None) -> bool:
    """Whether a now-instant subscriber left daily-only mode after their last digest's cutoff.

    Cheap (no notice read): the catch-up itself may turn out empty, and is then recorded ``empty``.
    """
    return profile.digest == DigestMode.INSTANT and any(
        change.before == DigestMode.DAILY and (previous_cutoff is None or change.since > previous_cutoff)
        for change in changes
    )


def subscriber_key(document: Mapping[str, Any], channel: str) -> str | None:
    """The recipient id delivery uses for a subscriber's document (a chat id on Telegram)."""
    if channel != TELEGRAM:
        return str(document["_id"])
    chat = document.get("chat_id") if document.get("chat_id") is not None else document.get("user_id")
    return str(chat) if chat is not None and str(chat).strip() else None


@dataclass(frozen=True)
class ModeTimeline:
    """When each notice of a run was listed, and each subscriber's mode changes."""

    listed_at: Mapping[str, datetime]
    changes: Mapping[str, tuple[ModeChange, ...]]

    def mode(self, recipient: str, profile: Profile, notice_id: str) -> DigestMode:
        """The subscriber's mode when the notice was listed (today's mode for an unlisted one)."""
        at = self.listed_at.get(notice_id)
        return profile.digest if at is None else mode_at(self.changes.get(recipient, ()), profile.digest, at)


def load_timeline(
    listed: Collection[Document], subscribers: Collection[Document], channel: str, notice_ids: Iterable[str]
) -> ModeTimeline:
    """Read after the run's profiles, so a mode change made meanwhile is seen here (it decides)."""
    ids = sorted(set(notice_ids))
    listed_at = {
        str(document["_id"]): aware_utc(document["listed_at"])
        for document in listed.find({"_id": {"$in": ids}}, {"listed_at": 1})
        if isinstance(document.get("listed_at"), datetime)
    }
    projection = {"chat_id": 1, "user_id": 1, MODES_FIELD: 1}
    changes = {}
    for document in subscribers.find({MODES_FIELD: {"$exists": True}}, projection):
        key = subscriber_key(document, channel)
        if key is not None:
            changes[key] = mode_changes(document.get(MODES_FIELD))
    return ModeTimeline(listed_at, changes)
