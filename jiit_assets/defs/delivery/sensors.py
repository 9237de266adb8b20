"""Sensors: ``unsent_notices_sensor`` requests a notification run whenever notices await delivery;
``digest_sensor`` requests one when a subscriber's daily digest has come due.

Run keys: Dagster never launches two runs with the same run key, and remembers keys forever. The
key is ``<hash of the sorted pending (notice id, revision) set>-<attempt>``, so ticks that see the
same pending set while its run is queued or going request nothing new. If that run ends and the
same set is still pending (it crashed, or some recipients were parked for a retry), the attempt
counter advances — after a back-off of 1, 2, 4 … 60 minutes since that run ended — and the next
key is new, so a failed run never leaves notices blocked behind a used key, and a broken channel
does not launch a run every minute. Any change of the pending set (a new notice, an edit, partial
progress) starts again at attempt 0.

While any delivery run is queued or in progress the sensor requests nothing (the job's
concurrency tag also keeps runs one at a time), so two runs never deliver the same notices at once.
A run that died without ending (killed by the OOM killer or a restart, it stays STARTED under the
default run launcher) would block delivery forever: the sensor judges it by its lease heartbeat
(``lease.stale_run_reason``), marks a stale one failed and goes on; the job's ``dagster/max_runtime``
tag lets run monitoring end a run that hangs while still heartbeating.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.automation import delivery_job
from jiit_assets.defs.delivery.digest_phase import digests_due
from jiit_assets.defs.delivery.lease import read_holder, stale_run_reason
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.outbox import read_pending
from jiit_assets.lib.runs import IN_PROGRESS_RUN_STATUSES
from jiit_assets.lib.schema import LOCKS
from jiit_assets.lib.text import IST, json_object
from jiit_assets.lib.vocabulary import aware_utc

PENDING_SET_TAG = "jiit/pending_set"
DIGEST_HOUR_TAG = "jiit/digest_hour"
ATTEMPT_TAG = "jiit/pending_set_attempt"
RETRY_BACKOFF_SECONDS = 60
MAX_RETRY_BACKOFF_SECONDS = 3600
unsent_notices_sensor_name = "unsent_notices_sensor"
# Runs that have begun executing. Queued and starting ones are the run queue's and run
# monitoring's business (dagster.yaml: start_timeout_seconds).
_JUDGED_STATUSES = frozenset({dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING})


@dataclass
class SensorCursor:
    pending_set: str | None = None
    attempt: int = 0
    pending_notices: int = 0
    checked_at: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> SensorCursor:
        data = json_object(text)
        return cls(
            pending_set=data.get("pending_set"),
            attempt=int(data.get("attempt") or 0),
            pending_notices=int(data.get("pending_notices") or 0),
            checked_at=data.get("checked_at"),
        )

    def dump(self) -> str:
        self.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
        return json.dumps(asdict(self), sort_keys=True)


def pending_set_hash(pending: list[tuple[str, int]]) -> str:
    lines = "\n".join(f"{notice_id}:r{revision}" for notice_id, revision in sorted(pending))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:16]


def retry_backoff(attempt: int) -> float:
    """Seconds to wait after the ``attempt``-th run of one pending set ended without clearing it."""
    return float(min(MAX_RETRY_BACKOFF_SECONDS, RETRY_BACKOFF_SECONDS * 2**attempt))


@dg.sensor(
    name=unsent_notices_sensor_name,
    job=delivery_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every 30 s: if notices await delivery (its `outbox` entries) and no delivery run is in progress (a run whose lease "
        "heartbeat stopped is marked failed), requests `delivery_job` once per pending set; a set left "
        "pending is retried with a back-off (1, 2, 4 … 60 min)."
    ),
)
def unsent_notices_sensor(
    context: dg.SensorEvaluationContext, mongo: MongoResource
) -> dg.SensorResult | dg.SkipReason:
    cursor = SensorCursor.parse(context.cursor)
    waiting = _wait_for_active_run(context, mongo)
    if waiting is not None:
        return waiting

    # The outbox holds only what awaits delivery, so this read costs O(pending) on any server.
    pending = [(entry.notice_id, entry.revision) for entry in read_pending(mongo.db())]
    if not pending:
        context.update_cursor(SensorCursor(pending_notices=0).dump())
        return dg.SkipReason("No notices pending delivery.")

    set_hash = pending_set_hash(pending)
    attempt = 0
    if cursor.pending_set == set_hash:
        attempt = cursor.attempt
        previous = _run_for(context.instance, set_hash, attempt)
        if previous is not None:
            # Nothing is in progress, so the run for this set has ended and left it pending.
            ended = previous.end_time or previous.update_timestamp.timestamp()
            wait = retry_backoff(attempt) - (time.time() - ended)
            status = previous.dagster_run.status.value.lower()
            if wait > 0:
                context.update_cursor(SensorCursor(set_hash, attempt, len(pending)).dump())
                return dg.SkipReason(
                    f"{len(pending)} notices still pending after run {previous.dagster_run.run_id[:8]} "
                    f"({status}); retrying in {wait:.0f} s (attempt {attempt + 1})."
                )
            attempt += 1

    context.update_cursor(SensorCursor(set_hash, attempt, len(pending)).dump())
    oldest = pending[0][0]
    request = dg.RunRequest(
        run_key=f"{set_hash}-{attempt}",
        tags={PENDING_SET_TAG: set_hash, ATTEMPT_TAG: str(attempt)},
    )
    context.log.info(
        f"{len(pending)} notices pending (oldest {oldest}); requesting run key {request.run_key}."
    )
    return dg.SensorResult(run_requests=[request])


def _wait_for_active_run(context: dg.SensorEvaluationContext, mongo: MongoResource) -> dg.SkipReason | None:
    """A skip while a delivery run is in progress; a run that died without ending is marked failed."""
    records = context.instance.get_run_records(
        filters=dg.RunsFilter(job_name=delivery_job.name, statuses=IN_PROGRESS_RUN_STATUSES), limit=5
    )
    holder = read_holder(mongo.collection(LOCKS)) if records else None
    now = datetime.now(UTC)
    for record in records:
        run = record.dagster_run
        # A run killed before it reported its start has only its creation time.
        started = (
            datetime.fromtimestamp(record.start_time, UTC)
            if record.start_time
            else aware_utc(record.create_timestamp)
        )
        stale = stale_run_reason(run.run_id, started, holder, now) if run.status in _JUDGED_STATUSES else None
        if stale is None:
            return dg.SkipReason(
                f"Delivery run {run.run_id[:8]} is {run.status.value.lower()}; waiting for it to finish."
            )
        context.instance.report_run_failed(
            run, message=f"Marked failed by {unsent_notices_sensor_name}: {stale}."
        )
        context.log.warning(f"Delivery run {run.run_id[:8]} is stale ({stale}); marked it failed.")
    return None


def _run_for(instance: dg.DagsterInstance, set_hash: str, attempt: int) -> Any:
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            job_name=delivery_job.name, tags={PENDING_SET_TAG: set_hash, ATTEMPT_TAG: str(attempt)}
        ),
        limit=1,
    )
    return records[0] if records else None


def digest_tick(
    context: dg.SensorEvaluationContext,
    db: Any,
    now: datetime,
    *,
    telegram: bool,
    web_push: bool,
) -> dg.SensorResult | dg.SkipReason:
    """One evaluation of ``digest_sensor`` at ``now``: a run request at most once per IST hour.

    The unsent-notices sensor only wakes for pending notices, so on a quiet day nothing would send
    the 20:00 digests. The run key names the IST hour, and the cursor remembers the last hour
    requested, so each due hour requests one run; a digest still open (an outage) is retried the
    next hour.
    """
    hour = now.astimezone(IST).strftime("%Y-%m-%dT%H")
    if json_object(context.cursor).get("requested_hour") == hour:
        return dg.SkipReason(f"Digests of {hour}:00 IST already requested.")
    due = digests_due(db, now, telegram=telegram, web_push=web_push)
    if not due:
        return dg.SkipReason("No daily digest due.")
    context.update_cursor(json.dumps({"requested_hour": hour}))
    context.log.info(f"{due} daily digests due at {hour}:00 IST; requesting a delivery run.")
    request = dg.RunRequest(run_key=f"digest-{hour}", tags={DIGEST_HOUR_TAG: hour})
    return dg.SensorResult(run_requests=[request])


@dg.sensor(
    name="digest_sensor",
    job=delivery_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every minute: when a subscriber's daily digest has come due at their digest hour (Asia/Kolkata) "
        "and is not sent yet, or a catch-up digest is owed after leaving daily mode, requests "
        "`delivery_job` once per IST hour to send it."
    ),
)
def digest_sensor(
    context: dg.SensorEvaluationContext,
    mongo: MongoResource,
    telegram: TelegramResource,
    web_push: WebPushResource,
) -> dg.SensorResult | dg.SkipReason:
    return digest_tick(
        context,
        mongo.db(),
        datetime.now(UTC),
        telegram=telegram.is_configured,
        web_push=web_push.is_configured,
    )
