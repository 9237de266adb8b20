"""What the operator is told, and when: run failures, recoveries and sources gone quiet.

The operator chats should hear about a problem once, not once a minute: a failing job alerts at
most once per ``alert_interval`` while it keeps failing, and its next success sends one recovery
message. A source (an ingestion asset) that has not been materialized successfully for
``stale_after`` alerts once, and again only after it has recovered and gone stale anew.

Everything here is a pure function of the state kept in the alert sensor's cursor and the facts
the sensor read, so the rules are tested with any clock.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from jiit_assets.lib.secrets import scrub_secrets
from jiit_assets.lib.text import format_ist, json_object

ERROR_LINES_SHOWN = 6
ERROR_CHARS_SHOWN = 700


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    job_name: str
    succeeded: bool
    finished_at: float  # epoch seconds
    failed_step: str | None = None
    error: str | None = None


@dataclass
class JobAlertState:
    failing: bool = False
    last_alert_at: float | None = None
    suppressed: int = 0  # failures not alerted because of the interval


@dataclass
class AlertState:
    """The sensor's memory between ticks (stored as its cursor)."""

    checked_until: float | None = None  # runs updated before this were already seen
    started_at: float | None = None  # first tick: a source never materialized counts from here
    jobs: dict[str, JobAlertState] = field(default_factory=dict)
    stale_sources: list[str] = field(default_factory=list)

    def dump(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def parse(cls, text: str | None) -> AlertState:
        data = json_object(text)
        jobs = {
            str(name): JobAlertState(
                **{k: v for k, v in state.items() if k in JobAlertState.__dataclass_fields__}
            )
            for name, state in (data.get("jobs") or {}).items()
            if isinstance(state, dict)
        }
        return cls(
            checked_until=data.get("checked_until"),
            started_at=data.get("started_at"),
            jobs=jobs,
            stale_sources=[str(s) for s in data.get("stale_sources") or []],
        )


def first_error_lines(error: str | None) -> str:
    """The start of an error, secrets removed, short enough for a chat message."""
    if not error:
        return "(no error message recorded)"
    lines = [line for line in scrub_secrets(error).splitlines() if line.strip()][:ERROR_LINES_SHOWN]
    return "\n".join(lines)[:ERROR_CHARS_SHOWN]


def failure_message(run: FinishedRun, run_url: str, suppressed: int) -> str:
    step = f" in step <code>{html.escape(run.failed_step)}</code>" if run.failed_step else ""
    repeat = f"\n({suppressed} earlier failures of this job were not alerted.)" if suppressed else ""
    return (
        f"🚨 <b>{html.escape(run.job_name)}</b> failed{step}\n"
        f"<pre>{html.escape(first_error_lines(run.error))}</pre>\n"
        f'<a href="{html.escape(run_url, quote=True)}">Open the run</a>{repeat}'
    )


def recovery_message(run: FinishedRun, run_url: str) -> str:
    return f'✅ <b>{html.escape(run.job_name)}</b> succeeded again. <a href="{html.escape(run_url, quote=True)}">Run</a>'


def plan_run_alerts(
    state: AlertState, runs: list[FinishedRun], alert_interval: timedelta, run_url: Any
) -> list[str]:
    """Messages for ``runs`` (oldest first), updating ``state``; ``run_url(run_id)`` links a run."""
    messages: list[str] = []
    for run in sorted(runs, key=lambda r: r.finished_at):
        job = state.jobs.setdefault(run.job_name, JobAlertState())
        if run.succeeded:
            if job.failing:
                messages.append(recovery_message(run, run_url(run.run_id)))
            state.jobs[run.job_name] = JobAlertState()
            continue
        due = (
            job.last_alert_at is None or run.finished_at - job.last_alert_at >= alert_interval.total_seconds()
        )
        if due:
            messages.append(failure_message(run, run_url(run.run_id), job.suppressed))
            job.last_alert_at, job.suppressed = run.finished_at, 0
        else:
            job.suppressed += 1
        job.failing = True
    return messages


def plan_stale_alerts(
    state: AlertState, last_success: dict[str, float | None], now: float, stale_after: timedelta
) -> list[str]:
    """One message per source that went stale since the last tick, one when it recovers."""
    messages: list[str] = []
    baseline = state.started_at if state.started_at is not None else now
    stale_now: list[str] = []
    for source, succeeded_at in sorted(last_success.items()):
        reference = succeeded_at if succeeded_at is not None else baseline
        is_stale = now - reference >= stale_after.total_seconds()
        was_stale = source in state.stale_sources
        if is_stale:
            stale_now.append(source)
        if is_stale and not was_stale:
            messages.append(_stale_message(source, succeeded_at, stale_after))
        elif was_stale and not is_stale:
            messages.append(f"✅ <b>{html.escape(source)}</b> is fresh again.")
    state.stale_sources = stale_now
    return messages


def _stale_message(source: str, succeeded_at: float | None, stale_after: timedelta) -> str:
    if succeeded_at is None:
        since = "has never been materialized"
    else:
        since = f"last succeeded {format_ist(datetime.fromtimestamp(succeeded_at, UTC))}"
    hours = stale_after.total_seconds() / 3600
    return f"⏰ <b>{html.escape(source)}</b> {since}: no success for over {hours:g} h. Is its schedule on?"
