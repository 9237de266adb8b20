"""Operator alerts as a sensor, shaped like Dagster's Slack integration.

``make_telegram_on_run_failure_sensor`` takes the arguments operators know from
``make_slack_on_run_failure_sensor`` (``name``, ``monitored_jobs``, ``minimum_interval_seconds``,
``default_status``). Each tick reads the runs that finished since the last tick and the latest
materialization of every source asset, decides with the pure rules in ``rules.py`` what to say,
sends it to the operator chats, and only then advances its cursor: a tick whose sends fail is
evaluated again, so an alert is delayed by a Telegram outage, never lost. A blocking asset check
that fails fails its run, so it arrives as a run-failure alert naming the check.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.alerts.resources import OperatorAlertsResource
from jiit_assets.defs.alerts.rules import AlertState, FinishedRun, plan_run_alerts, plan_stale_alerts
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.lib.schema import EMAIL_NOTICES, EMAIL_PLACEMENT_OFFERS, ENRICHED_JOBS, RAW_SUPERSET_NOTICES

# The assets that bring news in: if one stops succeeding, students stop hearing about it.
SOURCE_ASSETS = (RAW_SUPERSET_NOTICES, ENRICHED_JOBS, EMAIL_PLACEMENT_OFFERS, EMAIL_NOTICES)
_FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]


def finished_runs(
    instance: dg.DagsterInstance, after: float, monitored_jobs: Sequence[str] | None
) -> list[FinishedRun]:
    """Runs that ended after ``after`` (epoch seconds), with the failed step and its error."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=_FINISHED, updated_after=datetime.fromtimestamp(after, UTC)),
        limit=500,
    )
    runs: list[FinishedRun] = []
    for record in records:
        run = record.dagster_run
        ended = record.end_time or record.update_timestamp.timestamp()
        if ended <= after or (monitored_jobs is not None and run.job_name not in monitored_jobs):
            continue
        succeeded = run.status == dg.DagsterRunStatus.SUCCESS
        step, error = (None, None) if succeeded else failure_details(instance, run.run_id)
        runs.append(FinishedRun(run.run_id, run.job_name, succeeded, ended, step, error))
    return runs


def failure_details(instance: dg.DagsterInstance, run_id: str) -> tuple[str | None, str | None]:
    """The first failed step and its error message, else the run's own failure message."""
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = entry.dagster_event
        if event is None:
            continue
        error = getattr(event.event_specific_data, "error", None)
        return event.step_key, (root_message(error) if error is not None else entry.user_message)
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE):
        return None, entry.user_message or (entry.dagster_event.message if entry.dagster_event else None)
    return None, None


def root_message(error: Any) -> str:
    """The innermost cause of a Dagster error: what the step itself raised, not Dagster's wrapper."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return str(error.message).strip()


def last_successes(instance: dg.DagsterInstance, sources: Sequence[str]) -> dict[str, float | None]:
    successes: dict[str, float | None] = {}
    for source in sources:
        event = instance.get_latest_materialization_event(dg.AssetKey(source))
        successes[source] = event.timestamp if event is not None else None
    return successes


def make_telegram_on_run_failure_sensor(
    *,
    name: str = "operator_alerts_sensor",
    monitored_jobs: Sequence[str] | None = None,
    minimum_interval_seconds: int = 60,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.RUNNING,
    monitored_sources: Sequence[str] = SOURCE_ASSETS,
) -> dg.SensorDefinition:
    """A sensor that tells the operator chats about failed runs, recoveries and stale sources."""

    @dg.sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=(
            "Tells the operator chats (TELEGRAM_ADMIN_CHAT_ID) when a run fails, at most once an hour per "
            "job, when it recovers, and when a source has not succeeded for hours."
        ),
    )
    def alert_sensor(
        context: dg.SensorEvaluationContext,
        telegram: TelegramResource,
        operator_alerts: OperatorAlertsResource,
    ) -> dg.SkipReason:
        if not operator_alerts.is_configured or not telegram.is_configured:
            return dg.SkipReason(
                "Operator alerts are off: set TELEGRAM_ADMIN_CHAT_ID and TELEGRAM_BOT_TOKEN."
            )
        now = time.time()
        state = AlertState.parse(context.cursor)
        if state.started_at is None:  # first tick: start watching now, do not replay history
            state.started_at = state.checked_until = now
        runs = finished_runs(context.instance, state.checked_until or now, monitored_jobs)
        messages = plan_run_alerts(state, runs, operator_alerts.alert_interval, operator_alerts.run_url)
        successes = last_successes(context.instance, monitored_sources)
        messages += plan_stale_alerts(state, successes, now, operator_alerts.stale_after)
        if messages:
            operator_alerts.send(telegram, messages)
        # Advance to the newest run seen, not to "now": a run committed a moment after the query
        # but ending before it is still found next tick.
        state.checked_until = max([state.checked_until or now, *(run.finished_at for run in runs)])
        context.update_cursor(state.dump())
        failed = sum(not run.succeeded for run in runs)
        return dg.SkipReason(
            f"{len(runs)} runs finished ({failed} failed), {len(state.stale_sources)} stale sources; "
            f"sent {len(messages)} alerts to {len(operator_alerts.chat_ids())} chats."
        )

    return alert_sensor


operator_alerts_sensor = make_telegram_on_run_failure_sensor()
