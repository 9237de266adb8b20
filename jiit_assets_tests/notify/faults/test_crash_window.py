"""A Web Push fan-out killed mid-batch: the re-run completes it, repeating at most the in-flight window.

The README states the window: a crash repeats at most ``concurrency`` sends per channel (each
worker has one send whose intent is recorded and whose outcome is not). Here the push stand-in
answers slowly, so a whole window is in flight when the process is killed with SIGKILL; the pushes
the stand-in accepted after the kill are real duplicates once the next run re-sends them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from jiit_assets.defs.delivery.lease import DELIVERY_LEASE_ID, STALE_AFTER
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import DELIVERY_INTENTS, LOCKS, NOTICES
from jiit_assets_tests.fixtures.notify import add_subscriptions, queued_notice, store_notices
from jiit_assets_tests.fixtures.servers import REPO_ROOT
from jiit_assets_tests.notify.faults.common import run_delivery

RUN_IN_CHILD = """
import json, os
import dagster as dg
from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource

config = json.loads(os.environ["DELIVERY_TEST_CONFIG"])
dg.materialize(
    [deliveries],
    resources={
        "mongo": MongoResource(**config["mongo"]),
        "telegram": TelegramResource(),
        "web_push": WebPushResource(**config["web_push"]),
    },
)
"""
SUBSCRIPTIONS = 120
WINDOW = 12  # the resource's concurrency in this test


def test_a_fan_out_killed_mid_batch_repeats_at_most_the_in_flight_window(
    mongo, push_standin, web_push_resource, vapid_keys
):
    subscriptions = add_subscriptions(mongo, push_standin, SUBSCRIPTIONS, vapid_keys.public)
    store_notices(mongo, queued_notice("crash"))
    resource = WebPushResource(**{**web_push_resource.model_dump(), "concurrency": WINDOW})
    push_standin.delay_seconds = 0.25  # a whole window is always waiting on the service

    def received() -> Counter[str]:
        return Counter(
            push.subscription_id
            for push in list(push_standin.received)
            if isinstance(push.payload, dict) and push.payload.get("notice_id") == "superset:crash"
        )

    config = {"mongo": {"uri": mongo.uri, "database": mongo.database}, "web_push": resource.model_dump()}
    child = subprocess.Popen(
        [sys.executable, "-c", RUN_IN_CHILD],
        cwd=REPO_ROOT,
        env={**os.environ, "DELIVERY_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while (
            child.poll() is None
            and sum(received().values()) < SUBSCRIPTIONS // 3
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert 0 < sum(received().values()) < SUBSCRIPTIONS, "the kill must land mid fan-out"
    listed = sum(len(d["entries"]) for d in mongo.collection(DELIVERY_INTENTS).find({}))
    assert listed > 0, "sends were in flight at the kill"
    time.sleep(push_standin.delay_seconds * 2)  # the requests the dead process left are answered

    stale = datetime.now(UTC) - STALE_AFTER - timedelta(seconds=1)  # time moves on: its lease is stale
    mongo.collection(LOCKS).update_one({"_id": DELIVERY_LEASE_ID}, {"$set": {"heartbeat_at": stale}})
    push_standin.delay_seconds = 0.0
    run = run_delivery(mongo, TelegramResource(), resource)

    assert run.success
    got = received()
    ids = {subscription["endpoint"].rsplit("/", 1)[-1] for subscription in subscriptions}
    lost = len(ids - set(got))
    duplicates = sum(n - 1 for n in got.values())
    assert lost == 0
    # Every real duplicate was reported as possible, and there are no more than the window.
    assert duplicates <= run.metadata["possible_duplicates"] <= WINDOW
    assert mongo.collection(DELIVERY_INTENTS).count_documents({}) == 0
    assert mongo.collection(NOTICES).find_one()["delivery"]["web_push"] == "sent"
