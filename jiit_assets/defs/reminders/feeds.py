"""Calendar feeds behind ``jiit-assets serve``: the public one and one per subscriber.

The public feed (``/calendar.ics``) lists every open deadline. A subscriber's feed
(``/calendar/<token>.ics``) lists only the jobs their profile targets, so a student who set a
branch and batch sees only the deadlines they can apply to. The token is random (192 bits) and
stored twice: as the ``_id`` of a ``calendar_tokens`` document naming its owner (so a feed request
is one ``_id`` lookup, the only lookup FerretDB answers from an index) and as ``calendar_token`` on
the owner (a Telegram subscriber in ``users`` or a browser subscription in ``push_subscriptions``).
A token resolves only while both sides agree, so replacing it (``/calendar revoke``), deleting the
subscription or /stop retires the old link at once, and a crash between the two writes leaves a
token that resolves to nothing rather than a second live link. Plain module, no dagster.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pymongo.database import Database

from jiit_assets.defs.notices.render import TELEGRAM_MAX_UNITS, escape_attribute, telegram_length
from jiit_assets.defs.reminders.calendar import Deadline, calendar_feed, open_deadlines
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.targeting import TargetNotice, wants
from jiit_assets.lib.models import NoticeType
from jiit_assets.lib.schema import CALENDAR_TOKENS, ENRICHED_JOBS, PUSH_SUBSCRIPTIONS, USERS

Document = dict[str, Any]
PUBLIC_FEED_PATH = "/calendar.ics"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
JOB_FIELDS = ("id", "company", "job_profile", "deadline", "location", "package", "eligibility_courses")


class Owner(StrEnum):
    TELEGRAM = "telegram"  # `users`, `_id` = chat id as text
    PUSH = "push"  # `push_subscriptions`, `_id` = subscription id


_OWNER_COLLECTIONS = {Owner.TELEGRAM: USERS, Owner.PUSH: PUSH_SUBSCRIPTIONS}


def with_calendar_link(chunks: tuple[str, ...], notice_type: str, base_url: str) -> tuple[str, ...]:
    """A job posting's Telegram message with an "Add to calendar" link to the public feed.

    Appended to the last chunk when it fits (else sent as a chunk of its own); nothing changes for
    other notices or when the serve app's public URL is not configured.
    """
    if not base_url or not chunks or notice_type != NoticeType.JOB_POSTING:
        return chunks
    link = f'📅 <a href="{escape_attribute(base_url + PUBLIC_FEED_PATH)}">Add to calendar</a>'
    last = f"{chunks[-1]}\n\n{link}"
    if telegram_length(last) <= TELEGRAM_MAX_UNITS:
        return (*chunks[:-1], last)
    return (*chunks, link)


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def job_as_notice(job: Mapping[str, Any]) -> TargetNotice:
    """A job seen as the job-posting notice targeting decides on (the package in LPA)."""
    package = job.get("package")
    lpa = package / 100_000 if isinstance(package, int | float) and package > 0 else None
    notice = {
        "_id": f"job:{job.get('id') or job.get('_id')}",
        "type": NoticeType.JOB_POSTING,
        "company": job.get("company"),
        "package_lpa": lpa,
        "title": job.get("job_profile"),
    }
    return TargetNotice.of(notice, job)


def targeted_deadlines(jobs: list[Document], profile: Profile, now: datetime) -> list[Deadline]:
    """The open deadlines of the jobs a subscriber with ``profile`` would be sent."""
    return open_deadlines([job for job in jobs if wants(job_as_notice(job), profile)], now)


@dataclass(frozen=True)
class Subscriber:
    owner: Owner
    owner_id: str
    profile: Profile


class CalendarFeeds:
    """Tokens and feeds over one database (``users``, ``push_subscriptions``, ``enriched_jobs``)."""

    def __init__(
        self,
        database: Database[Document],
        job_url: Callable[[str], str],
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.database = database
        self.tokens = database[CALENDAR_TOKENS]
        self.job_url = job_url
        self.now = now or (lambda: datetime.now(UTC))

    def token_of(self, owner: Owner, owner_id: str) -> str | None:
        document = self.database[_OWNER_COLLECTIONS[owner]].find_one({"_id": owner_id}, {"calendar_token": 1})
        token = (document or {}).get("calendar_token")
        return token if isinstance(token, str) else None

    def issue(self, owner: Owner, owner_id: str, *, replace: bool = False) -> str | None:
        """The owner's token (a new one when ``replace``); None when the owner is not stored."""
        owners = self.database[_OWNER_COLLECTIONS[owner]]
        if owners.find_one({"_id": owner_id}, {"_id": 1}) is None:
            return None
        current = self.token_of(owner, owner_id)
        if current and not replace:
            return current
        token = secrets.token_urlsafe(24)
        # Token document first: see the module docstring for why a crash here is harmless.
        self.tokens.insert_one(
            {"_id": token, "owner": str(owner), "owner_id": owner_id, "created_at": self.now()}
        )
        owners.update_one({"_id": owner_id}, {"$set": {"calendar_token": token}})
        if current:
            self.tokens.delete_one({"_id": current})
        return token

    def resolve(self, token: str) -> Subscriber | None:
        """The live subscriber behind a token, or None (unknown, replaced, unsubscribed)."""
        if not TOKEN_SHAPE.fullmatch(token):
            return None
        record = self.tokens.find_one({"_id": token})
        if record is None or record.get("owner") not in set(Owner):
            return None
        owner = Owner(record["owner"])
        document = self.database[_OWNER_COLLECTIONS[owner]].find_one({"_id": record.get("owner_id")})
        if document is None or document.get("calendar_token") != token:
            return None
        if owner is Owner.TELEGRAM and document.get("is_active") is not True:
            return None
        return Subscriber(owner, str(document["_id"]), Profile.from_document(document.get("profile")))

    def _jobs(self) -> list[Document]:
        return list(self.database[ENRICHED_JOBS].find({}, dict.fromkeys(JOB_FIELDS, 1)))

    def public_feed(self) -> bytes:
        deadlines = open_deadlines(self._jobs(), self.now())
        return calendar_feed(deadlines, self.job_url, "JIIT placement deadlines")

    def subscriber_feed(self, token: str) -> bytes | None:
        subscriber = self.resolve(token)
        if subscriber is None:
            return None
        deadlines = targeted_deadlines(self._jobs(), subscriber.profile, self.now())
        return calendar_feed(deadlines, self.job_url, "My JIIT placement deadlines")
