"""One failing source does not stop the queue: SuperSet down and the IMAP login refused.

The update run fails (the failed sources show as failed steps) and Dagster skips its queue step;
the ``queue_after_failed_update`` sensor then requests ``queue_job``, which queues what the
sources had already stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from jiit_assets.defs.email.assets import email_ingestion
from jiit_assets.defs.email.resources import ImapResource
from jiit_assets.defs.notices.assets import notices
from jiit_assets.defs.notices.automation import queue_after_failed_update, queue_job, update_job
from jiit_assets.defs.superset.assets import build_superset_assets
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.models import NoticeContent, NoticeType
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.outbox import read_pending
from jiit_assets.lib.queue_requests import QueueRequest, request_queueing
from jiit_assets_tests.fixtures.imap import DovecotServer
from jiit_assets_tests.notices.samples import SAMPLES
from jiit_assets_tests.standins.superset import SupersetStandin

NOW = datetime.now(UTC).replace(microsecond=0)


def _already_ingested(mongo: MongoResource) -> None:
    """A portal notice and an e-mail notice stored by earlier runs, not yet queued."""
    sample = dict(SAMPLES[0].notice)
    published = NOW - timedelta(hours=1)
    mongo.collection("raw_superset_notices").insert_one(
        {**sample, "_id": sample["identifier"], "published_at": published, "content_hash": "h1"}
    )
    request_queueing(mongo.db(), [QueueRequest("raw_superset_notices", sample["identifier"], "h1")])
    content = NoticeContent(
        source="email",
        source_id="mail-1",
        type=NoticeType.ANNOUNCEMENT,
        title="Pre-placement talk moved to LT-2",
        text="Same time.",
        published_at=published,
    )
    mongo.collection("email_notices").insert_one(
        {"_id": "mail-1", "notice_state": "pending", "notice_content": content.to_document()}
    )


def test_superset_down_and_imap_refused_still_queue_what_was_stored(
    mongo: MongoResource,
    superset_standin: SupersetStandin,
    dovecot: DovecotServer,
    imap_folder: str,
) -> None:
    _already_ingested(mongo)
    superset_standin.inject("login", "500", count=100)  # the portal is down
    superset = SupersetResource(
        base_url=superset_standin.url,
        credentials=superset_standin.credentials_json,
        public_key_pem=superset_standin.public_key_pem,
        max_attempts=1,
    )
    imap = ImapResource(
        host=dovecot.host,
        port=dovecot.port,
        user=dovecot.user,
        password="not-the-password",
        folder=imap_folder,
        tls_mode="plain",
        timeout_seconds=10,
    )
    definitions = dg.Definitions(
        assets=[*build_superset_assets(dg.RetryPolicy(max_retries=0)), email_ingestion, notices],
        jobs=[update_job, queue_job],
        resources={"mongo": mongo, "superset": superset, "imap": imap},
    )
    with dg.DagsterInstance.ephemeral() as instance:
        update = definitions.resolve_job_def("update_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
        assert not update.success
        failed = {event.step_key for event in update.all_events if event.event_type_value == "STEP_FAILURE"}
        assert {"raw_superset_notices", "enriched_jobs", "email_ingestion"} <= failed
        assert update.asset_materializations_for_node("notices") == []

        context = dg.build_run_status_sensor_context(
            sensor_name=queue_after_failed_update.name,
            dagster_instance=instance,
            dagster_run=update.dagster_run,
            dagster_event=update.get_run_failure_event(),
        ).for_run_failure()
        request = queue_after_failed_update(context)
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == f"queue-after-{update.run_id}"

        queued = definitions.resolve_job_def("queue_job").execute_in_process(instance=instance)
    assert queued.success
    pending = {entry.notice_id for entry in read_pending(mongo.db())}
    assert pending == {f"superset:{SAMPLES[0].notice['identifier']}", "email:mail-1"}
