"""Two delivery runs at once (the sensor's and a hand-launched "Materialize all") never double-send."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.lease import DELIVERY_LEASE_ID, STALE_AFTER
from jiit_assets.lib.schema import LOCKS
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT, add_users, queued_notice, store_notices


def _materialize(instance, mongo, telegram_resource, web_push_resource):
    return dg.materialize(
        [deliveries],
        instance=instance,
        resources={"mongo": mongo, "telegram": telegram_resource, "web_push": web_push_resource},
    )


def _metadata(result):
    materialization = result.asset_materializations_for_node("deliveries")[0]
    return {key: value.value for key, value in materialization.metadata.items()}


def test_a_second_run_while_one_is_delivering_sends_nothing_and_every_message_arrives_once(
    mongo, telegram_standin, telegram_resource, web_push_resource
):
    store_notices(
        mongo,
        queued_notice("n1", title="Shortlist: Acme Corp", age_minutes=9),
        queued_notice("n2", title="Webinar: Globex", age_minutes=5),
    )
    add_users(mongo, *({"_id": f"u{i}", "user_id": 600 + i, "is_active": True} for i in range(3)))
    instance = dg.DagsterInstance.ephemeral()
    telegram_standin.hold_after(2)  # the first run stalls mid fan-out, as on a slow network

    first: dict[str, dg.ExecuteInProcessResult] = {}
    worker = threading.Thread(
        target=lambda: first.setdefault(
            "result", _materialize(instance, mongo, telegram_resource, web_push_resource)
        )
    )
    worker.start()
    deadline = time.monotonic() + 60
    while telegram_standin.held == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert telegram_standin.held > 0, "the first run never reached the stand-in"

    second = _materialize(instance, mongo, telegram_resource, web_push_resource)
    telegram_standin.release()
    worker.join(timeout=120)

    assert second.success
    assert "in progress" in _metadata(second)["skipped_because"]
    assert first["result"].success
    sent = Counter((message.chat_id, message.text) for message in telegram_standin.messages)
    recipients = {CHANNEL_CHAT, "600", "601", "602"}
    assert {chat for chat, _ in sent} == recipients
    assert set(sent.values()) == {1}, "no recipient got a notice twice"
    assert len(sent) == 2 * len(recipients)
    assert mongo.collection(LOCKS).count_documents({}) == 0, "the lease is released at the end"


def test_a_lease_of_a_run_unknown_to_this_instance_counts_until_its_heartbeat_is_stale(
    mongo, telegram_standin, telegram_resource, web_push_resource
):
    # The owner may be a run of another Dagster instance (another DAGSTER_HOME, a one-off
    # `dagster asset materialize`): unknown here is not dead. Only its heartbeat's age decides.
    store_notices(mongo, queued_notice("n1"))
    mongo.collection(LOCKS).insert_one(
        {"_id": DELIVERY_LEASE_ID, "owner": "run-of-another-instance", "heartbeat_at": datetime.now(UTC)}
    )
    waiting = _materialize(dg.DagsterInstance.ephemeral(), mongo, telegram_resource, web_push_resource)
    assert "run-of-another-instance" in _metadata(waiting)["skipped_because"]
    assert telegram_standin.messages == []

    stale = datetime.now(UTC) - STALE_AFTER - timedelta(seconds=1)
    mongo.collection(LOCKS).update_one({"_id": DELIVERY_LEASE_ID}, {"$set": {"heartbeat_at": stale}})
    result = _materialize(dg.DagsterInstance.ephemeral(), mongo, telegram_resource, web_push_resource)

    assert result.success
    assert "skipped_because" not in _metadata(result)
    assert telegram_standin.messages_for(CHANNEL_CHAT)


def test_a_stale_lease_is_taken_over_even_if_its_owner_looks_alive(
    mongo, telegram_standin, telegram_resource, web_push_resource
):
    from jiit_assets.defs.delivery.lease import DeliveryLease, RunLiveness

    stale = datetime.now(UTC) - STALE_AFTER - timedelta(minutes=1)
    mongo.collection(LOCKS).insert_one(
        {"_id": DELIVERY_LEASE_ID, "owner": "stuck-run", "heartbeat_at": stale}
    )
    lease = DeliveryLease(mongo.collection(LOCKS), owner="new-run")

    assert lease.acquire(lambda run_id: RunLiveness.RUNNING) is None
    assert mongo.collection(LOCKS).find_one({"_id": DELIVERY_LEASE_ID})["took_over"] == "stuck-run"
    assert (
        DeliveryLease(mongo.collection(LOCKS), owner="third")
        .acquire(lambda run_id: RunLiveness.RUNNING)
        .owner
        == "new-run"
    )
