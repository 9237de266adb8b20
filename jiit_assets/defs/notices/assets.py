"""The ``notices`` asset: the one queue that delivery reads.

Every source asks for what it wants announced: portal notices through queue requests, e-mail
notices and offer events with ``notice_state: "pending"``. This asset drains them in one pass
(``queue.py``): portal notices are classified and linked to their job by deterministic rules,
every notice is rendered for Telegram and Web Push, and the result is written to ``notices`` with
a delivery state per channel and, for what is to be sent, an outbox entry (``lib/outbox.py``).

Idempotency: the ``_id`` is ``<source>:<source id>``; a notice whose content hash is unchanged is
left alone; an edited one keeps its ``_id`` and ``created_at``, gets ``revision + 1``, an "updated"
marker and pending delivery again. Notices published more than ``backlog_days`` ago are stored as
``skipped``; undated ones and floods are held for an operator (``hold.py``).
"""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.

import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from jiit_assets.defs.notices.hold import discard, parse_flood_limit, release
from jiit_assets.defs.notices.queue import (
    Outcome,
    Source,
    load_prebuilt,
    load_queue_state,
    load_superset,
    mark_done,
    plan_writes,
    write_queue,
)
from jiit_assets.defs.notices.render import PUSH_MAX_BYTES, TELEGRAM_MAX_UNITS, telegram_length
from jiit_assets.defs.notices.rules import DEFAULT_JOB_URL_BASE
from jiit_assets.lib.models import QueuedNotice
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.outbox import outbox_size, pending_notices, read_pending
from jiit_assets.lib.schema import (
    EMAIL_NOTICES,
    EMAIL_OFFER_EVENTS,
    EMAIL_PLACEMENT_OFFERS,
    ENRICHED_JOBS,
    NOTICES,
    OUTBOX,
    RAW_SUPERSET_NOTICES,
)
from jiit_assets.lib.vocabulary import OWNERS

PREVIEW_ROWS = 10
NOTICES_KEY = dg.AssetKey(NOTICES)
SOURCE_KEYS = [
    dg.AssetKey(RAW_SUPERSET_NOTICES),
    dg.AssetKey(ENRICHED_JOBS),
    dg.AssetKey(EMAIL_NOTICES),
    dg.AssetKey(EMAIL_PLACEMENT_OFFERS),
]


class NoticesConfig(dg.Config):
    backlog_days: int = 7
    """Notices published longer ago than this are stored without being sent (first run, long outages)."""
    job_url_base: str = DEFAULT_JOB_URL_BASE
    """Prefix of the job page linked from a notice; the job id is appended."""
    flood_limit: int | None = None
    """More notices than this becoming pending in one run are held; unset = NOTICES_FLOOD_LIMIT (50)."""
    release_held: bool = False
    """Send the notices the flood guard (or a missing date) held back."""
    discard_held: bool = False
    """Never send the held notices (store them as skipped)."""


def _preview(queued: list[QueuedNotice]) -> str:
    rows = ["| notice | type | title | company | revision | delivery |", "|---|---|---|---|---|---|"]
    newest = sorted(
        queued,
        key=lambda notice: notice.content.published_at or notice.created_at,
        reverse=True,
    )[:PREVIEW_ROWS]
    for notice in newest:
        content = notice.content
        cells = [
            content.notice_id,
            str(content.type),
            content.title[:80],
            content.company or "",
            str(notice.revision),
            ", ".join(f"{channel}: {state}" for channel, state in notice.delivery.items()),
        ]
        rows.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    if len(rows) == 2:
        return "Nothing new to queue."
    return "\n".join(rows)


@dg.asset(
    name=NOTICES,
    group_name="notices",
    kinds={"mongodb"},
    owners=OWNERS,
    # The hourly update refreshes the queue; two missed hours mean students are no longer told.
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2)),
    deps=SOURCE_KEYS,
    description=(
        "The one delivery queue: new or edited SuperSet notices, e-mail notices and offer events, "
        "rendered for Telegram and Web Push with a delivery state per channel."
    ),
)
def notices(
    context: dg.AssetExecutionContext, config: NoticesConfig, mongo: MongoResource
) -> dg.MaterializeResult:
    now = datetime.now(UTC)
    db = mongo.db()
    for name in (NOTICES, OUTBOX):
        mongo.collection(name)  # ensure indexes once per process
    released = _operator_decision(context, config, db, now)
    outcome = Outcome()
    sources: list[Source] = [
        *load_superset(db, config.job_url_base, outcome),
        *load_prebuilt(db, EMAIL_NOTICES, outcome),
        *load_prebuilt(db, EMAIL_OFFER_EVENTS, outcome),
    ]
    # Two sources can name the same notice (never by design, but a malformed id must not crash
    # the bulk write): the last one read wins.
    unique = list({source.content.notice_id: source for source in sources}.values())
    # One `_id` read, whatever the queue holds (the first run after an upgrade builds it once).
    existing = load_queue_state(db)
    limit = config.flood_limit if config.flood_limit is not None else _env_flood_limit()
    writes = plan_writes(unique, existing, now, config.backlog_days, outcome, flood_limit=limit)
    write_queue(db, writes)
    # Only after the queue holds them: a crash before this line re-processes, idempotently.
    mark_done(db, sources, outcome, now)
    for collection, _id, reason in outcome.invalid:
        context.log.warning(f"{collection} {_id!r} not queued: {reason}")
    if outcome.held:
        context.log.warning(
            f"{len(outcome.held)} notices held back, not sent: {next(iter(outcome.held.values()))}. "
            "Release them with the release_held_notices_job (or discard them) once checked."
        )
    return dg.MaterializeResult(metadata=_metadata(unique, outcome, writes.written, db, released))


def _env_flood_limit() -> int | None:
    try:
        return parse_flood_limit(os.environ.get("NOTICES_FLOOD_LIMIT", ""))
    except ValueError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None


def _operator_decision(
    context: dg.AssetExecutionContext, config: NoticesConfig, db: Any, now: datetime
) -> list[str]:
    if config.release_held and config.discard_held:
        raise dg.Failure(description="Choose release_held or discard_held, not both.", allow_retries=False)
    if config.release_held:
        released = release(db, now)
        context.log.info(f"Released {len(released)} held notices for delivery.")
        return released
    if config.discard_held:
        discarded = discard(db, now)
        context.log.info(f"Discarded {len(discarded)} held notices (stored as skipped).")
    return []


def _metadata(
    unique: list[Source], outcome: Outcome, written: list[QueuedNotice], db: Any, released: list[str]
) -> dict[str, Any]:
    by_type = Counter(str(source.content.type) for source in unique)
    by_source = Counter(source.content.source for source in unique)
    return {
        "queued_new": len(outcome.new),
        "updated": len(outcome.updated),
        "unchanged": len(outcome.unchanged),
        "skipped_backlog": len(outcome.skipped_backlog),
        "held": len(outcome.held),
        "released": len(released),
        "invalid": len(outcome.invalid),
        "by_type": dg.MetadataValue.json(dict(sorted(by_type.items()))),
        "by_source": dg.MetadataValue.json(dict(sorted(by_source.items()))),
        # The outbox holds exactly the revisions awaiting delivery: counting it reads nothing else.
        "pending_in_queue": outbox_size(db[OUTBOX]),
        "preview": dg.MetadataValue.md(_preview(written)),
    }


@dg.asset_check(
    asset=notices,
    description=(
        "Every notice waiting for delivery can be delivered: at least one Telegram chunk, each at most "
        "4096 UTF-16 units as Telegram counts them, and a push payload within the single-record budget."
    ),
    blocking=False,
)
def pending_notices_are_deliverable(mongo: MongoResource) -> dg.AssetCheckResult:
    db = mongo.db()
    projection = {"telegram_html": 1, "push": 1}
    problems: dict[str, str] = {}
    checked = 0
    for document in pending_notices(db, read_pending(db), projection):
        checked += 1
        chunks = document.get("telegram_html") or []
        if not chunks:
            problems[document["_id"]] = "no Telegram message"
        elif any(telegram_length(chunk) > TELEGRAM_MAX_UNITS for chunk in chunks):
            problems[document["_id"]] = "a Telegram chunk is over 4096 units"
        elif (
            not isinstance(document.get("push"), dict)
            or len(json.dumps(document["push"]).encode()) > PUSH_MAX_BYTES
        ):
            problems[document["_id"]] = "push payload missing or too large"
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "pending_checked": checked,
            "undeliverable": len(problems),
            "examples": dg.MetadataValue.json(dict(list(problems.items())[:10])),
        },
    )
