"""Deadline reminders into the notices queue: which are due, which were cancelled.

Each due reminder (rules.py) becomes one notice of type ``reminder`` whose ``_id`` is
``reminder:<Reminder.reminder_id>`` (job, offset, deadline), inserted only when absent: a re-run,
a restart or two overlapping runs can never queue it twice, and the delivery ledger then sends it
once per recipient like any notice. A moved deadline has new reminder ids, so the new date gets its
own reminders. A queued reminder whose deadline moved, was removed or passed before it went out is
cancelled: its pending channels are marked skipped, so nobody is reminded of a date that no longer
holds. Plain module, no dagster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.reminders.calendar import open_deadlines
from jiit_assets.defs.reminders.rules import Reminder, due, reminders_for, upcoming
from jiit_assets.lib.models import (
    CHANNELS,
    DeliveryState,
    NoticeContent,
    NoticeSource,
    NoticeType,
    QueuedNotice,
)
from jiit_assets.lib.outbox import OutboxEntry, enqueue, read_pending, settle
from jiit_assets.lib.schema import ENRICHED_JOBS, NOTICES
from jiit_assets.lib.text import format_ist

Document = dict[str, Any]
SOURCE: NoticeSource = "reminder"
JOB_FIELDS = {"id": 1, "company": 1, "job_profile": 1, "deadline": 1, "location": 1}


def reminder_content(reminder: Reminder, job_url: str) -> NoticeContent:
    deadline = reminder.deadline
    return NoticeContent(
        source=SOURCE,
        source_id=reminder.reminder_id,
        type=NoticeType.REMINDER,
        title=reminder.title,
        text=reminder.text,
        facts=(
            ("Company", deadline.company),
            ("Role", deadline.role),
            ("Deadline", format_ist(deadline.closes_at)),
        ),
        company=deadline.company,
        role=deadline.role,
        job_id=deadline.job_id,
        deadline=deadline.closes_at,
        url=job_url,
    )


def queue_notice(db: Database[Document], content: NoticeContent, now: datetime) -> bool:
    """Queue one rendered notice, pending on every channel; False when it is already queued.

    The one place this part writes to the notices queue (kept small so a change in how the queue
    accepts notices is one edit). The outbox entry goes first, as lib/outbox.py requires, so a
    pending notice never exists without it; an existing notice is left alone (one ``_id`` read).
    """
    if db[NOTICES].find_one({"_id": content.notice_id}, {"_id": 1}) is not None:
        return False
    queued = QueuedNotice(content=content, rendered=render_notice(content), created_at=now, updated_at=now)
    enqueue(db, [OutboxEntry(content.notice_id, queued.revision, now)])
    try:
        db[NOTICES].insert_one(queued.to_document())
    except DuplicateKeyError:  # another run queued it since the read: its copy stands
        return False
    return True


def cancel_stale(db: Database[Document], live_ids: set[str], now: datetime) -> list[str]:
    """Skip the pending channels of queued reminders that are no longer due (deadline moved/gone).

    Reads the outbox (only what awaits delivery), marks the notice, then removes its entry: the
    order lib/outbox.py settles in.
    """
    cancelled: list[str] = []
    for entry in read_pending(db):
        if not entry.notice_id.startswith(f"{SOURCE}:") or entry.notice_id in live_ids:
            continue
        document = db[NOTICES].find_one({"_id": entry.notice_id}, {"delivery": 1, "pending": 1})
        if document is None or not document.get("pending"):
            continue
        delivery = document.get("delivery") or {}
        skipped = {
            f"delivery.{channel}": str(DeliveryState.SKIPPED)
            for channel in CHANNELS
            if delivery.get(channel) == DeliveryState.PENDING
        }
        update = {"$set": {**skipped, "pending": False, "updated_at": now, "delivery_note": CANCELLED_NOTE}}
        if db[NOTICES].update_one({"_id": entry.notice_id, "pending": True}, update).modified_count:
            cancelled.append(entry.notice_id)
        settle(db, entry.notice_id, entry.revision)
    return cancelled


CANCELLED_NOTE = "skipped: the deadline moved, was removed or passed before the reminder went out"


@dataclass
class ReminderReport:
    due: int = 0
    queued: list[str] = field(default_factory=list)
    already_queued: int = 0
    cancelled: list[str] = field(default_factory=list)
    open_deadlines: int = 0
    next_due: list[Reminder] = field(default_factory=list)


def refresh_reminders(
    db: Database[Document],
    now: datetime,
    offsets: Sequence[timedelta],
    job_url: Callable[[str], str],
) -> ReminderReport:
    """Queue every due reminder once and cancel queued ones whose deadline no longer holds."""
    deadlines = open_deadlines(db[ENRICHED_JOBS].find({}, JOB_FIELDS), now)
    reminders = reminders_for(deadlines, offsets)
    report = ReminderReport(open_deadlines=len(deadlines), next_due=upcoming(reminders, now))
    due_now = due(reminders, now)
    report.due = len(due_now)
    for reminder in due_now:
        content = reminder_content(reminder, job_url(reminder.deadline.job_id))
        if queue_notice(db, content, now):
            report.queued.append(content.notice_id)
        else:
            report.already_queued += 1
    live = {f"{SOURCE}:{reminder.reminder_id}" for reminder in due_now}
    report.cancelled = cancel_stale(db, live, now)
    return report
