"""E-mail assets: placement offers and notices from the placement office's IMAP mailbox.

One run reads the mailbox once and writes both collections, so ``email_placement_offers`` and
``email_notices`` are one multi-asset; how a run reads and stores mail is in ``ingestion``.
"""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.

from collections import Counter
from collections.abc import Iterable
from typing import Any

import dagster as dg
from pydantic import Field

from jiit_assets.defs.email.ingestion import IngestReport, ingest_mailbox, parse_window
from jiit_assets.defs.email.mailbox import ImapError
from jiit_assets.defs.email.resources import ImapResource
from jiit_assets.lib.metadata import md_bullets, md_inline
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import EMAIL_NOTICES, EMAIL_PLACEMENT_OFFERS, PROCESSED_EMAILS
from jiit_assets.lib.vocabulary import OWNERS

# Two ingestion runs never overlap when launched through the instance (the pool's limit is 1); the
# offer store stays correct if they do anyway (a hand-launched materialization, another instance).
EMAIL_POOL = "email"


class EmailConfig(dg.Config):
    """Leave empty for the hourly run (new mail, read or unread). Set dates to backfill a past range."""

    since: str | None = Field(
        default=None, description="Backfill from this day (YYYY-MM-DD, Asia/Kolkata), seen or unseen mail."
    )
    until: str | None = Field(
        default=None, description="Last day of the backfill (inclusive); defaults to `since`."
    )
    reprocess: bool = Field(
        default=False,
        description="Re-extract messages the ledger already settled (after a rule change). Idempotent.",
    )


def _reasons_md(items: list[tuple[str, str]]) -> str:
    counts = Counter(reason for _, reason in items)
    return md_bullets([f"{count} × {md_inline(reason)}" for reason, count in counts.most_common()])


def _preview_md(report: IngestReport) -> str:
    if not report.rows:
        return "No new messages."
    lines = ["| subject | outcome | reason |", "|---|---|---|"]
    for subject, outcome, reason in report.rows:
        cells = [md_inline(text, 80) for text in (subject, outcome, reason)]
        lines.append(f"| {cells[0]} | {cells[1]} | {cells[2]} |")
    return "\n".join(lines)


def _common_metadata(report: IngestReport, imap: ImapResource, window_text: str) -> dict[str, Any]:
    return {
        "mailbox": dg.MetadataValue.text(imap.describe()),
        "window": dg.MetadataValue.text(window_text),
        "fetched": report.fetched,
        "already_processed": report.already_processed,
        "outside_window": report.outside_window,
        "skipped": len(report.skipped),
        "skipped_reasons": dg.MetadataValue.md(_reasons_md(report.skipped)),
        "failed": len(report.failed),
        "failed_reasons": dg.MetadataValue.md(_reasons_md(report.failed)),
        "unknown_values": dg.MetadataValue.md(_reasons_md(report.notes)),
        "flagged_seen": report.flagged,
        "preview": dg.MetadataValue.md(_preview_md(report)),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            EMAIL_PLACEMENT_OFFERS,
            description=(
                "Final placement offers found in the placement office's mailbox, merged per company; "
                "every change is also recorded as an offer event for the queue."
            ),
            group_name="email",
            kinds={"email", "mongodb"},
            owners=OWNERS,
            skippable=True,
        ),
        dg.AssetSpec(
            EMAIL_NOTICES,
            description=(
                "Other placement e-mails (shortlists, tests, webinars, reminders, …) as notices for "
                "the queue; spam and personal mail are skipped with a reason."
            ),
            group_name="email",
            kinds={"email", "mongodb"},
            owners=OWNERS,
            skippable=True,
        ),
    ],
    can_subset=False,
    pool=EMAIL_POOL,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
)
def email_ingestion(
    context: dg.AssetExecutionContext, config: EmailConfig, imap: ImapResource, mongo: MongoResource
) -> Iterable[dg.MaterializeResult]:
    """Read the placement mailbox once; store offers, offer events, notices and the processed-mail ledger."""
    try:
        window = parse_window(config.since, config.until)
    except ValueError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    if not imap.is_configured:
        context.log.info(
            "E-mail ingestion skipped: IMAP is not configured (set IMAP_HOST, IMAP_USER, IMAP_PASSWORD)."
        )
        note = {"status": dg.MetadataValue.text("IMAP not configured")}
        yield dg.MaterializeResult(asset_key=EMAIL_PLACEMENT_OFFERS, metadata=note)
        yield dg.MaterializeResult(asset_key=EMAIL_NOTICES, metadata=note)
        return
    try:
        report = ingest_mailbox(imap.settings, mongo, window, config.reprocess, context.log)
    except ImapError as error:
        # Results already stored stay stored; unflagged mail is read again by the retry or next run.
        raise error.as_failure() from None
    window_text = f"{window.first_day} to {window.last_day} (IST)" if window else "new messages"
    common = _common_metadata(report, imap, window_text)
    if report.failed:
        context.log.warning("%d message(s) could not be processed; see failed_reasons", len(report.failed))
    yield dg.MaterializeResult(
        asset_key=EMAIL_PLACEMENT_OFFERS,
        metadata={
            **common,
            "offers_new": report.offers_new,
            "offers_updated": report.offers_updated,
            "companies": dg.MetadataValue.text(", ".join(sorted(report.companies)) or "(none)"),
            "documents_in_collection": mongo.collection(EMAIL_PLACEMENT_OFFERS).estimated_document_count(),
        },
    )
    yield dg.MaterializeResult(
        asset_key=EMAIL_NOTICES,
        metadata={
            **common,
            "notices": sum(report.notices.values()),
            "notices_by_type": dg.MetadataValue.json(dict(report.notices)),
            "documents_in_collection": mongo.collection(EMAIL_NOTICES).estimated_document_count(),
        },
    )


@dg.asset_check(
    asset=EMAIL_PLACEMENT_OFFERS,
    description=(
        "Every stored offer names a company, has at least one role with a positive package in LPA "
        "below 200 (a larger figure means a misread amount) and counts as many offers as selected students."
    ),
    blocking=False,
)
def email_offers_are_complete(mongo: MongoResource) -> dg.AssetCheckResult:
    problems: list[str] = []
    total = 0
    for document in mongo.collection(EMAIL_PLACEMENT_OFFERS).find(
        {}, {"company": 1, "roles": 1, "students_selected": 1, "number_of_offers": 1}
    ):
        total += 1
        packages = [role.get("package") for role in document.get("roles") or []]
        students = document.get("students_selected") or []
        if not str(document.get("company") or "").strip():
            problems.append(f"{document['_id']}: no company name")
        if not any(isinstance(p, int | float) and 0 < p < 200 for p in packages):
            problems.append(f"{document['_id']}: no plausible package ({packages})")
        if students and document.get("number_of_offers") != len(students):
            problems.append(
                f"{document['_id']}: {document.get('number_of_offers')} offers for {len(students)} students"
            )
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "offers_checked": total,
            "problems": dg.MetadataValue.md(md_bullets([md_inline(problem) for problem in problems])),
        },
    )


@dg.asset_check(
    asset=EMAIL_NOTICES,
    description=(
        "No message is stuck as failed in the processed-mail ledger (undecodable or crashed the rules); "
        "failed messages are retried on the next runs, this check makes them visible."
    ),
    blocking=False,
)
def email_ledger_has_no_failures(mongo: MongoResource) -> dg.AssetCheckResult:
    failed = list(
        mongo.collection(PROCESSED_EMAILS)
        .find({"outcome": "failed"}, {"reason": 1, "subject": 1, "attempts": 1})
        .limit(20)
    )
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "failed": len(failed),
            "examples": dg.MetadataValue.md(
                md_bullets(
                    [
                        md_inline(f"{d.get('subject')}: {d.get('reason')} ({d.get('attempts')} attempts)")
                        for d in failed
                    ]
                )
            ),
        },
    )
