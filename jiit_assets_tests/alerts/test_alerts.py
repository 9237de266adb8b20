"""Operator alerts: a failed run is told once, its recovery once, a quiet source once, no secrets."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from jiit_assets.defs.alerts.resources import OperatorAlertsResource
from jiit_assets.defs.alerts.rules import AlertState, FinishedRun, plan_run_alerts, plan_stale_alerts
from jiit_assets.defs.alerts.sensors import make_telegram_on_run_failure_sensor, operator_alerts_sensor
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets_tests.standins.telegram import TelegramStandin

ADMIN_CHAT = "777001"
HOUR = 3600.0
IMAP_SECRET = "imap-S3cret-pass"


def link(run_id: str) -> str:
    return f"http://ui/runs/{run_id}"


def failed(run_id: str, at: float, job: str = "update_job") -> FinishedRun:
    return FinishedRun(run_id, job, False, at, "email_ingestion", f"login refused for pw={IMAP_SECRET}")


def test_a_failing_job_alerts_once_an_hour_and_recovers_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAP_PASSWORD", IMAP_SECRET)
    state = AlertState()
    first = plan_run_alerts(
        state, [failed("r1", 0), failed("r2", 600), failed("r3", 1200)], timedelta(hours=1), link
    )
    assert len(first) == 1 and "update_job" in first[0] and "email_ingestion" in first[0]
    assert IMAP_SECRET not in first[0] and "http://ui/runs/r1" in first[0]

    later = plan_run_alerts(state, [failed("r4", HOUR + 1)], timedelta(hours=1), link)
    assert len(later) == 1 and "2 earlier failures" in later[0]

    recovered = plan_run_alerts(
        state,
        [FinishedRun("r5", "update_job", True, HOUR + 60), FinishedRun("r6", "update_job", True, HOUR + 120)],
        timedelta(hours=1),
        link,
    )
    assert len(recovered) == 1 and "succeeded again" in recovered[0]


def test_a_source_that_goes_quiet_alerts_once_and_says_when_it_is_fresh_again() -> None:
    state = AlertState(started_at=0.0)
    stale_after = timedelta(hours=3)
    assert plan_stale_alerts(state, {"raw_superset_notices": 100.0}, 2 * HOUR, stale_after) == []
    [alert] = plan_stale_alerts(state, {"raw_superset_notices": 100.0}, 4 * HOUR, stale_after)
    assert "raw_superset_notices" in alert and "no success for over 3 h" in alert
    assert plan_stale_alerts(state, {"raw_superset_notices": 100.0}, 5 * HOUR, stale_after) == []
    [fresh] = plan_stale_alerts(state, {"raw_superset_notices": 5 * HOUR}, 5 * HOUR + 60, stale_after)
    assert "fresh again" in fresh


def test_the_cursor_survives_a_round_trip_and_garbage() -> None:
    state = AlertState(checked_until=5.0, started_at=1.0, stale_sources=["enriched_jobs"])
    plan_run_alerts(state, [failed("r1", 4.0)], timedelta(hours=1), link)
    assert AlertState.parse(state.dump()) == state
    assert AlertState.parse("not json") == AlertState()


@dg.asset
def flaky_source(context) -> None:  # type: ignore[no-untyped-def]
    if context.run.tags.get("fail") == "yes":
        raise RuntimeError(f"IMAP login refused (password {IMAP_SECRET})")


def run_flaky(instance: dg.DagsterInstance, fail: bool) -> None:
    dg.materialize(
        [flaky_source], instance=instance, tags={"fail": "yes" if fail else "no"}, raise_on_error=False
    )


def tick(
    instance: dg.DagsterInstance,
    cursor: str | None,
    telegram: TelegramResource,
    alerts: OperatorAlertsResource,
):
    sensor = make_telegram_on_run_failure_sensor(name="test_alerts", monitored_sources=())
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"telegram": telegram, "operator_alerts": alerts}
    )
    result = sensor(context)
    return result, context.cursor


def test_an_injected_run_failure_gives_exactly_one_alert_and_then_a_recovery(
    telegram_standin: TelegramStandin, telegram_resource: TelegramResource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAP_PASSWORD", IMAP_SECRET)
    alerts = OperatorAlertsResource(admin_chat_ids=ADMIN_CHAT, webserver_url="http://127.0.0.1:3000")
    instance = dg.DagsterInstance.ephemeral()
    _, cursor = tick(instance, None, telegram_resource, alerts)  # starts watching
    assert telegram_standin.messages_for(ADMIN_CHAT) == []

    run_flaky(instance, fail=True)
    run_flaky(instance, fail=True)
    result, cursor = tick(instance, cursor, telegram_resource, alerts)
    [alert] = telegram_standin.messages_for(ADMIN_CHAT)
    assert "failed in step flaky_source" in alert.text and "IMAP login refused" in alert.text
    assert IMAP_SECRET not in alert.text and "http://127.0.0.1:3000/runs/" in alert.raw
    assert "2 failed" in result.skip_message

    _, cursor = tick(instance, cursor, telegram_resource, alerts)  # nothing new: nothing sent
    assert len(telegram_standin.messages_for(ADMIN_CHAT)) == 1

    run_flaky(instance, fail=False)
    tick(instance, cursor, telegram_resource, alerts)
    messages = telegram_standin.messages_for(ADMIN_CHAT)
    assert len(messages) == 2 and "succeeded again" in messages[1].text


def test_a_telegram_outage_delays_an_alert_and_never_loses_it(
    telegram_standin: TelegramStandin, telegram_resource: TelegramResource
) -> None:
    alerts = OperatorAlertsResource(admin_chat_ids=ADMIN_CHAT)
    instance = dg.DagsterInstance.ephemeral()
    _, cursor = tick(instance, None, telegram_resource, alerts)
    run_flaky(instance, fail=True)
    telegram_standin.fail_next(50, status=502)
    with pytest.raises(Exception, match="operator alert"):
        tick(instance, cursor, telegram_resource, alerts)
    telegram_standin.reset()
    tick(instance, cursor, telegram_resource, alerts)  # the cursor did not move: the alert comes now
    assert len(telegram_standin.messages_for(ADMIN_CHAT)) == 1


def test_without_admin_chats_the_sensor_says_it_is_off(telegram_resource: TelegramResource) -> None:
    result, _ = tick(dg.DagsterInstance.ephemeral(), None, telegram_resource, OperatorAlertsResource())
    assert "TELEGRAM_ADMIN_CHAT_ID" in result.skip_message
    assert (
        operator_alerts_sensor.description
        and operator_alerts_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    )
