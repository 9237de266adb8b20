"""Who wants a notice: a queued notice and a subscriber's profile → send it or not.

Rules (a profile left empty, or no profile at all, wants everything):

* ``categories`` non-empty: only notices of those types;
* a muted company: none of its notices;
* a deadline reminder: decided as its job posting, and not when the profile turned reminders off;
* job postings only: not below ``min_ctc_lpa`` (a posting without a package is sent); not when the
  job's eligible courses are known and none is the subscriber's branch/programme; not when the
  job names the graduating batches it is open to and the subscriber's batch is not one of them.

Eligibility comes from the notice's job in ``enriched_jobs`` (``eligibility_courses`` such as
``"B.Tech - Computer Science and Engineering"``). The portal has no batch field, so batches are
read from what the job and the notice say ("2026 batch", "batch of 2027", "2026 passing out"). A
notice without a linked job, or a job without courses or batches, has unknown eligibility and
goes to everyone: a missed posting costs a student more than an extra message.

Delivery asks once per run: :meth:`NoticeTargeting.close_unwanted` closes, in memory, the ledger
entries of recipients who do not want a notice (state ``not_wanted``), so the fan-out skips them
and the notice settles without them. Nothing is written for them: the decision is made again on
every run until the notice is delivered, and an entry already sent is never touched, so a profile
change can neither re-send nor un-send anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState
from jiit_assets.defs.subscribers.mentions import MENTION_SUFFIX, Mention, mention_of
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.defs.subscribers.timing import quiet_until
from jiit_assets.lib.models import NoticeType
from jiit_assets.lib.text import company_key

Document = dict[str, Any]

# Short names students use for the portal's course names (keys are compared without punctuation).
BRANCH_ALIASES: dict[str, str] = {
    "cs": "cse", "cse": "cse", "computer science": "cse", "computer science and engineering": "cse",
    "it": "it", "information technology": "it",
    "ec": "ece", "ece": "ece", "electronics and communication": "ece",
    "electronics and communication engineering": "ece",
    "bt": "bt", "biotech": "bt", "biotechnology": "bt",
    "mnc": "mc", "mac": "mc", "mc": "mc", "maths and computing": "mc", "mathematics and computing": "mc",
    "vlsi": "vlsi", "electronics engineering vlsi design and technology": "vlsi",
}  # fmt: skip
_PROGRAMMES = {
    "btech": "btech", "be": "btech", "mtech": "mtech", "intgmtech": "intmtech", "integratedmtech": "intmtech",
    "intmtech": "intmtech", "mca": "mca", "bca": "bca", "mba": "mba", "bba": "bba", "msc": "msc", "bsc": "bsc",
}  # fmt: skip
_STOP_WORDS = frozenset({"and", "of", "in", "with", "the", "design", "technology"})
_YEAR = r"(20[2-9]\d)"
_BATCH_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b{_YEAR}\s*(?:graduating|passing|pass(?:ing)?[- ]?out|grad(?:uation)?)?\s*batch(?:es)?\b",
        rf"\bbatch(?:es)?\s*(?:of\s*)?[:\-]?\s*{_YEAR}\b",
        rf"\b{_YEAR}\s*(?:passing|pass(?:ing)?[- ]?out|graduates|graduating)\b",
        rf"\b{_YEAR}\s*(?:and|&|/|,)\s*{_YEAR}\s*batch(?:es)?\b",
    )
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _branch_code(text: str) -> str:
    """A branch name as one comparable code: an alias, else the initials of its significant words."""
    words = _words(text)
    joined = " ".join(words)
    if joined in BRANCH_ALIASES:
        return BRANCH_ALIASES[joined]
    significant = [word for word in words if word not in _STOP_WORDS] or words
    return "".join(word[0] for word in significant) if len(significant) > 1 else joined


def _split_programme(text: str) -> tuple[str | None, str]:
    """``"B.Tech CSE"`` → ``("btech", "CSE")``; ``"CSE"`` → ``(None, "CSE")``."""
    parts = [part for part in re.split(r"\s*-\s*|\s+", text.strip()) if part]
    for size in (2, 1):
        head = "".join(_words(" ".join(parts[:size])))
        if len(parts) >= size and head in _PROGRAMMES:
            return _PROGRAMMES[head], " ".join(parts[size:])
    return None, text


@lru_cache(maxsize=4096)
def branch_matches(branch: str, courses: tuple[str, ...]) -> bool:
    """Whether a subscriber's branch/programme is among a job's courses ("<programme> - <name>")."""
    programme, name = _split_programme(branch)
    code = _branch_code(name) if name.strip() else None
    for course in courses:
        course_programme, _, course_name = course.partition(" - ")
        if not course_name:
            course_programme, course_name = "", course
        if programme and _PROGRAMMES.get("".join(_words(course_programme))) not in (programme, None):
            continue
        if code is None or _branch_code(course_name) == code:
            return True
    return False


def batches_in(*texts: str | None) -> frozenset[int]:
    """Graduating years a job or notice says it is open to ("2026 batch", "batch of 2027")."""
    years: set[int] = set()
    for text in texts:
        for pattern in _BATCH_PATTERNS:
            for match in pattern.finditer(text or ""):
                years.update(int(group) for group in match.groups() if group)
    return frozenset(years)


@dataclass(frozen=True)
class TargetNotice:
    """What targeting needs to know about one queued notice."""

    notice_id: str
    revision: int
    type: str
    company_key: str
    package_lpa: float | None = None
    courses: tuple[str, ...] = ()  # empty: unknown
    batches: frozenset[int] = frozenset()  # empty: unknown
    reminder: bool = False  # a deadline reminder: targeted as its job posting, and only if wanted

    @classmethod
    def of(cls, notice: Mapping[str, Any], job: Mapping[str, Any] | None) -> TargetNotice:
        job = job or {}
        # A deadline reminder goes to whoever its job posting went to (same eligibility, package
        # and categories), so it is decided as that posting.
        reminder = notice.get("type") == NoticeType.REMINDER and bool(notice.get("job_id"))
        package = notice.get("package_lpa")
        if reminder and isinstance(job.get("package"), int | float):
            package = job["package"] / 100_000
        courses = job.get("eligibility_courses")
        return cls(
            reminder=reminder,
            notice_id=str(notice.get("_id")),
            revision=int(notice.get("revision") or 1),
            type=str(NoticeType.JOB_POSTING if reminder else notice.get("type") or ""),
            company_key=company_key(notice.get("company")),
            package_lpa=float(package) if isinstance(package, int | float) and package > 0 else None,
            courses=tuple(str(c) for c in courses if c) if isinstance(courses, list) else (),
            batches=batches_in(
                *(
                    str(job.get(key) or "")
                    for key in ("job_profile", "content", "job_description", "placement_category")
                ),
                str(notice.get("title") or ""),
                str(notice.get("text") or ""),
            ),
        )


def wants(notice: TargetNotice, profile: Profile | None) -> bool:
    """Whether a subscriber with ``profile`` should receive ``notice`` (see the module docstring)."""
    if profile is None:
        return True
    if notice.reminder and not profile.reminders:
        return False
    if profile.categories and notice.type not in {str(kind) for kind in profile.categories}:
        return False
    if notice.company_key and notice.company_key in profile.muted_companies:
        return False
    if notice.type != NoticeType.JOB_POSTING:
        return True
    if profile.min_ctc_lpa and notice.package_lpa is not None and notice.package_lpa < profile.min_ctc_lpa:
        return False
    if profile.branch and notice.courses and not branch_matches(profile.branch, notice.courses):
        return False
    return not (profile.batch and notice.batches and profile.batch not in notice.batches)


class NoticeTargeting:
    """The notices of one delivery run (and their personal mentions), matched against profiles."""

    def __init__(self, notices: Mapping[str, TargetNotice], mentions: Iterable[Mention] = ()) -> None:
        self.notices = dict(notices)
        self.mentions = {mention.notice_id: mention for mention in mentions}

    @classmethod
    def load(cls, notices: Iterable[Mapping[str, Any]], jobs: Collection[Document]) -> NoticeTargeting:
        """Each notice with its job (one ``_id`` lookup per distinct job of a job posting)."""
        documents = list(notices)
        job_ids = {
            str(n["job_id"])
            for n in documents
            if n.get("job_id") and n.get("type") in (NoticeType.JOB_POSTING, NoticeType.REMINDER)
        }
        found = {job_id: jobs.find_one({"_id": job_id}) for job_id in sorted(job_ids)}
        return cls(
            {str(n["_id"]): TargetNotice.of(n, found.get(str(n.get("job_id") or ""))) for n in documents},
            [mention for mention in map(mention_of, documents) if mention is not None],
        )

    def mentions_for(self, notice_ids: Iterable[str]) -> list[Mention]:
        """The personal mentions of these notices (delivered as items of their own, see mentions.py)."""
        wanted = {f"{notice_id}{MENTION_SUFFIX}" for notice_id in notice_ids}
        return [mention for notice_id, mention in self.mentions.items() if notice_id in wanted]

    def close_unwanted(
        self,
        entries: dict[str, dict[str, LedgerEntry]],
        recipients: Mapping[str, Profile | None],
        channel: str,
        configured: Iterable[str] = (),
    ) -> int:
        """Close (in memory) the open entries of recipients who do not want an item.

        ``entries[notice_id][recipient]`` as the fan-out takes them; ``recipients`` maps every
        recipient to its profile. ``configured`` recipients (TELEGRAM_CHAT_ID) get every notice
        and no personal mention. Returns how many entries were closed.
        """
        fixed = set(configured)
        closed = 0
        for notice_id, by_recipient in entries.items():
            notice, mention = self.notices.get(notice_id), self.mentions.get(notice_id)
            revision = mention.revision if mention else notice.revision if notice else 1
            for recipient, profile in recipients.items():
                if mention is not None:
                    wanted = (
                        recipient not in fixed
                        and profile is not None
                        and profile.enrollment in mention.enrollments
                    )
                else:
                    wanted = notice is None or recipient in fixed or wants(notice, profile)
                if not wanted:
                    closed += _close(by_recipient, notice_id, revision, channel, recipient)
        return closed


def hold_quiet(
    entries: dict[str, dict[str, LedgerEntry]],
    revisions: Mapping[str, int],
    recipients: Mapping[str, Profile | None],
    channel: str,
    now: datetime,
    configured: Iterable[str] = (),
) -> set[str]:
    """Recipients inside their quiet hours, whose open entries wait (in memory) for the morning.

    Each held recipient's open entry is left open as ``retry`` (created in memory when missing)
    and is not handed to the fan-out, so the notice stays pending (not failed, not given up) and
    the first run after 07:00 IST sends it. Configured chats (TELEGRAM_CHAT_ID) are never held.
    Call after :meth:`NoticeTargeting.close_unwanted`, so a notice nobody wants is not held.
    """
    fixed = set(configured)
    held = {
        recipient
        for recipient, profile in recipients.items()
        if recipient not in fixed and profile is not None and quiet_until(profile, now) is not None
    }
    for notice_id, revision in revisions.items():
        by_recipient = entries.setdefault(notice_id, {})
        for recipient in held:
            entry = by_recipient.get(recipient)
            if entry is None:
                by_recipient[recipient] = LedgerEntry(
                    notice_id, revision, channel, recipient, LedgerState.RETRY
                )
            elif not entry.done:
                entry.reason = entry.reason or "quiet hours: waits until 07:00 IST"
    return held


def _close(
    by_recipient: dict[str, LedgerEntry], notice_id: str, revision: int, channel: str, recipient: str
) -> int:
    entry = by_recipient.get(recipient)
    if entry is not None and entry.done:
        return 0  # already sent (or gone): a profile change never undoes it
    if entry is None:
        entry = LedgerEntry(notice_id, revision, channel, recipient)
        by_recipient[recipient] = entry
    entry.state = LedgerState.NOT_WANTED
    entry.reason = "the subscriber's profile does not want it"
    return 1
