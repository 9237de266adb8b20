"""The delivery lease under a long fan-out, and delivery runs that died without ending."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.test_utils import create_run_for_test

from jiit_assets.defs.delivery.automation import delivery_job
from jiit_assets.defs.delivery.lease import DELIVERY_LEASE_ID, STALE_AFTER, DeliveryLease, RunLiveness
from jiit_assets.defs.delivery.sensors import unsent_notices_sensor
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import LOCKS
from jiit_assets_tests.fixtures.notify import add_users, queued_notice, store_notices
from jiit_assets_tests.notify.faults.common import Run, run_delivery


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_the_lease_is_renewed_while_held_and_lost_when_taken(mongo):
    locks = mongo.collection(LOCKS)
    lease = DeliveryLease(locks, owner="long-run")
    assert lease.acquire(lambda run_id: RunLiveness.UNKNOWN) is None
    first = locks.find_one({"_id": DELIVERY_LEASE_ID})["heartbeat_at"]
    with lease.kept_alive(every=timedelta(milliseconds=50)):
        assert wait_for(lambda: locks.find_one({"_id": DELIVERY_LEASE_ID})["heartbeat_at"] > first)
        locks.update_one({"_id": DELIVERY_LEASE_ID}, {"$set": {"owner": "another-run"}})
        assert wait_for(lambda: lease.lost)
        assert lease.fence() is False
    assert locks.find_one({"_id": DELIVERY_LEASE_ID})["owner"] == "another-run"  # not released by the loser


def test_a_run_that_loses_its_lease_mid_fan_out_stops_before_its_next_send(
    mongo, telegram_standin, telegram_resource
):
    store_notices(mongo, queued_notice("n1", age_minutes=3), queued_notice("n2", title="Acme results"))
    add_users(mongo, *({"_id": f"u{i}", "chat_id": 820 + i, "is_active": True} for i in range(6)))
    telegram_standin.hold_after(3)  # the run stalls mid fan-out, as on a slow network
    outcome: dict[str, Run] = {}
    worker = threading.Thread(
        target=lambda: outcome.setdefault("run", run_delivery(mongo, telegram_resource, WebPushResource()))
    )
    worker.start()
    assert wait_for(lambda: telegram_standin.held > 0), "the run never reached the stand-in"
    # Another delivery run takes the lease over (as it would after a heartbeat looked stale).
    mongo.collection(LOCKS).update_one({"_id": DELIVERY_LEASE_ID}, {"$set": {"owner": "other-run"}})
    time.sleep(1.2)  # longer than the fence trusts its last confirmation
    telegram_standin.release()  # the held requests are dropped (500): each would be retried
    worker.join(timeout=120)

    run = outcome["run"]
    assert not run.success and "lost its lease" in run.failure
    assert len(telegram_standin.messages) == 3  # nothing was sent after the lease was lost
    assert mongo.collection(LOCKS).find_one({"_id": DELIVERY_LEASE_ID})["owner"] == "other-run"


def sensor_tick(instance, mongo):
    with dg.build_sensor_context(instance=instance, resources={"mongo": mongo}) as context:
        return unsent_notices_sensor(context)


def test_a_killed_delivery_run_left_started_is_detected_and_delivery_goes_on(mongo):
    store_notices(mongo, queued_notice("n1"))
    with dg.DagsterInstance.ephemeral() as instance:
        killed = create_run_for_test(instance, job_name="delivery_job", status=dg.DagsterRunStatus.STARTED)
        heartbeat = datetime.now(UTC) - timedelta(minutes=1)
        mongo.collection(LOCKS).insert_one(
            {"_id": DELIVERY_LEASE_ID, "owner": killed.run_id, "heartbeat_at": heartbeat}
        )
        # A recent heartbeat: the run is alive, the sensor waits.
        waiting = sensor_tick(instance, mongo)
        assert isinstance(waiting, dg.SkipReason) and "waiting for it to finish" in waiting.skip_message

        # The process died: the heartbeat stops, and once it is older than STALE_AFTER ...
        stale = datetime.now(UTC) - STALE_AFTER - timedelta(seconds=1)
        mongo.collection(LOCKS).update_one({"_id": DELIVERY_LEASE_ID}, {"$set": {"heartbeat_at": stale}})
        result = sensor_tick(instance, mongo)

        assert isinstance(result, dg.SensorResult) and len(result.run_requests or []) == 1
        run = instance.get_run_by_id(killed.run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE


def test_delivery_runs_carry_a_maximum_run_time_for_run_monitoring():
    assert int(delivery_job.tags["dagster/max_runtime"]) >= 3600
