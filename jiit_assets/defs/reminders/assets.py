"""The ``deadline_reminders`` asset: due deadline reminders queued as notices (see queue.py)."""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.

import os
from datetime import UTC, datetime

import dagster as dg

from jiit_assets.defs.notices.rules import DEFAULT_JOB_URL_BASE
from jiit_assets.defs.reminders.queue import ReminderReport, refresh_reminders
from jiit_assets.defs.reminders.rules import DEFAULT_OFFSETS, parse_offsets
from jiit_assets.lib.metadata import md_bullets, md_inline
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import ENRICHED_JOBS, NOTICES, OUTBOX
from jiit_assets.lib.text import format_ist
from jiit_assets.lib.vocabulary import OWNERS

OFFSETS_VARIABLE = "REMINDER_OFFSETS_HOURS"


def reminder_offsets() -> str:
    """The configured offsets as text ("24,3" by default); validated by :func:`parse_offsets`."""
    return os.environ.get(OFFSETS_VARIABLE, "").strip() or ",".join(
        f"{offset.total_seconds() / 3600:g}" for offset in DEFAULT_OFFSETS
    )


def _metadata(report: ReminderReport, offsets: str) -> dict[str, dg.MetadataValue]:
    next_due = [
        f"{format_ist(r.due_at)}: {md_inline(r.deadline.company)} – {md_inline(r.deadline.role)} "
        f"({md_inline(r.title.split('close in ')[-1])} before)"
        for r in report.next_due
    ]
    return {
        "next_due": dg.MetadataValue.md(md_bullets(next_due)),
        "queued": dg.MetadataValue.int(len(report.queued)),
        "already_queued": dg.MetadataValue.int(report.already_queued),
        "cancelled": dg.MetadataValue.int(len(report.cancelled)),
        "open_deadlines": dg.MetadataValue.int(report.open_deadlines),
        "offsets_hours": dg.MetadataValue.text(offsets),
    }


@dg.asset(
    group_name="reminders",
    deps=[dg.AssetKey(ENRICHED_JOBS)],
    owners=OWNERS,
    kinds={"mongodb"},
    description=(
        "Queues a reminder notice before each open application deadline (REMINDER_OFFSETS_HOURS, "
        "default 24 h and 3 h) and cancels queued ones whose deadline moved or passed."
    ),
)
def deadline_reminders(context: dg.AssetExecutionContext, mongo: MongoResource) -> dg.MaterializeResult:
    offsets_text = reminder_offsets()
    try:
        offsets = parse_offsets(offsets_text)
    except ValueError as error:
        raise dg.Failure(f"{OFFSETS_VARIABLE}: {error}") from None
    # Direct writes, not the IO manager: each reminder is inserted under its own _id so that a
    # crash mid-run keeps what was queued and a re-run inserts only the rest.
    for name in (NOTICES, OUTBOX):
        mongo.collection(name)  # ensure indexes once per process
    report = refresh_reminders(
        mongo.db(),
        datetime.now(UTC),
        offsets,
        lambda job_id: f"{DEFAULT_JOB_URL_BASE}{job_id}",
    )
    context.log.info(
        f"{len(report.queued)} reminders queued, {report.already_queued} already queued, "
        f"{len(report.cancelled)} cancelled"
    )
    return dg.MaterializeResult(metadata=_metadata(report, offsets_text))
