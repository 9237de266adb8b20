"""unsent_notices_sensor: nothing pending → no run; one run per pending set; never blocked, never twice."""

from __future__ import annotations

import json

import dagster as dg
import pytest
from dagster._core.test_utils import create_run_for_test

from jiit_assets.definitions import defs
from jiit_assets.defs.delivery import sensors
from jiit_assets.defs.delivery.sensors import ATTEMPT_TAG, PENDING_SET_TAG, unsent_notices_sensor
from jiit_assets.lib.outbox import pending_notices, read_pending, settle
from jiit_assets.lib.schema import NOTICES
from jiit_assets_tests.fixtures.notify import queued_notice, store_notices


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def tick(instance, mongo, cursor=None):
    with dg.build_sensor_context(instance=instance, resources={"mongo": mongo}, cursor=cursor) as context:
        result = unsent_notices_sensor(context)
        return result, context.cursor


def requests_of(result):
    return result.run_requests if isinstance(result, dg.SensorResult) else []


def finish_run(instance, request, status=dg.DagsterRunStatus.FAILURE):
    create_run_for_test(instance, job_name="delivery_job", status=status, tags=request.tags)


def test_nothing_pending_requests_nothing(instance, mongo):
    notice = queued_notice("n1")
    notice.delivery = {"telegram": "sent", "web_push": "sent"}
    store_notices(mongo, notice)
    result, cursor = tick(instance, mongo)
    assert isinstance(result, dg.SkipReason)
    assert result.skip_message == "No notices pending delivery."
    assert json.loads(cursor)["pending_notices"] == 0


def test_one_run_per_pending_set(instance, mongo):
    store_notices(mongo, queued_notice("n1", age_minutes=5), queued_notice("n2"))
    first, cursor = tick(instance, mongo)
    [request] = requests_of(first)
    assert request.job_name in (None, "delivery_job")
    assert json.loads(cursor)["pending_notices"] == 2

    # The same set on the next tick: the same run key, which Dagster never launches twice.
    again, cursor = tick(instance, mongo, cursor)
    assert [r.run_key for r in requests_of(again)] == [request.run_key]

    # A new notice (or an edit: new revision) is a new set and a new key.
    store_notices(mongo, queued_notice("n3"))
    third, cursor = tick(instance, mongo, cursor)
    [new_request] = requests_of(third)
    assert new_request.run_key != request.run_key
    store_notices(mongo, queued_notice("n3", revision=2))
    edited, _ = tick(instance, mongo, cursor)
    assert requests_of(edited)[0].run_key not in (request.run_key, new_request.run_key)


def test_no_request_while_a_notification_run_is_in_progress(instance, mongo):
    store_notices(mongo, queued_notice("n1"))
    first, cursor = tick(instance, mongo)
    create_run_for_test(
        instance,
        job_name="delivery_job",
        status=dg.DagsterRunStatus.STARTED,
        tags=requests_of(first)[0].tags,
    )
    store_notices(mongo, queued_notice("n2"))
    result, _ = tick(instance, mongo, cursor)
    assert isinstance(result, dg.SkipReason)
    assert "started; waiting for it to finish" in result.skip_message


def test_a_failed_run_does_not_block_its_pending_set(instance, mongo, monkeypatch):
    store_notices(mongo, queued_notice("n1"))
    first, cursor = tick(instance, mongo)
    [request] = requests_of(first)
    finish_run(instance, request)

    # Right after the failure: back off instead of launching a run every tick.
    waiting, cursor = tick(instance, mongo, cursor)
    assert isinstance(waiting, dg.SkipReason) and "retrying in" in waiting.skip_message

    monkeypatch.setattr(sensors, "RETRY_BACKOFF_SECONDS", 0)
    retry, cursor = tick(instance, mongo, cursor)
    [retry_request] = requests_of(retry)
    assert retry_request.run_key != request.run_key
    assert retry_request.tags[PENDING_SET_TAG] == request.tags[PENDING_SET_TAG]
    assert retry_request.tags[ATTEMPT_TAG] == "1"

    # Once delivered, nothing more is requested.
    finish_run(instance, retry_request, dg.DagsterRunStatus.SUCCESS)
    mongo.collection(NOTICES).update_many({}, {"$set": {"pending": False}})
    settle(mongo.db(), "superset:n1", 1)  # what the delivery run does once a notice is settled
    done, _ = tick(instance, mongo, cursor)
    assert isinstance(done, dg.SkipReason)


def test_sensor_is_running_by_default_and_frequent():
    assert unsent_notices_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert unsent_notices_sensor.minimum_interval_seconds <= 60
    assert unsent_notices_sensor.job_name == "delivery_job"
    assert unsent_notices_sensor in list(defs.sensors or [])


def test_a_stale_outbox_entry_is_removed_and_requests_nothing(instance, mongo):
    """A run that settled a notice but died before removing its entry leaves nothing to re-send."""
    store_notices(mongo, queued_notice("n1"))
    mongo.collection(NOTICES).update_many({}, {"$set": {"pending": False}})
    db = mongo.db()
    assert pending_notices(db, read_pending(db), {"revision": 1}) == []
    result, _ = tick(instance, mongo)
    assert isinstance(result, dg.SkipReason)


def test_notices_pending_before_the_outbox_existed_are_adopted(instance, mongo):
    """An existing database whose notices were pending before the upgrade still delivers them."""
    legacy = queued_notice("old")
    mongo.collection(NOTICES).insert_one(legacy.to_document())  # no outbox entry: the old layout
    first, _ = tick(instance, mongo)
    [request] = requests_of(first)
    assert [entry.notice_id for entry in read_pending(mongo.db())] == ["superset:old"]
    assert request.tags[PENDING_SET_TAG]
