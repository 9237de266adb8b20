"""E-mail ingestion under faults: a crash before every write, two overlapping runs, mail someone
already read, extreme dates. Real Dovecot and FerretDB; the crash is injected black-box at the
MongoDB write boundary (``FaultyDatabase``) or by cutting the IMAP connection at ``UID STORE``."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from imap_tools import AND

from jiit_assets.defs.campus_app.migration import mark_mailbox_taken_over
from jiit_assets.defs.email.assets import EMAIL_POOL, EmailConfig, email_ingestion
from jiit_assets.defs.email.ingestion import Database, IngestReport, ingest_mailbox
from jiit_assets.defs.email.mailbox import ImapError
from jiit_assets.defs.email.message import decode_email
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import (
    EMAIL_NOTICES,
    EMAIL_OFFER_EVENTS,
    EMAIL_PLACEMENT_OFFERS,
    MAILBOX_STATE,
    PROCESSED_EMAILS,
)
from jiit_assets_tests.email.corpus_table import appendable, mailbox_order, raw
from jiit_assets_tests.fixtures.faults import Crash, FaultyDatabase, crash_before, record_only
from jiit_assets_tests.fixtures.imap import CuttingProxy, DovecotServer, append_messages

# Two offers for one company (the second adds a student and an enrollment number), another
# company's offer, a notice and an undecodable message, fetched two per batch.
FAULT_MAIL = [
    "offer_plain_single_role.eml",
    "offer_update_acme.eml",
    "offer_ppo.eml",
    "notice_webinar.eml",
    "broken_base64_body.eml",
]
EXTREME_DATE = "Fri, 31 Dec 9999 23:59:59 -2359"


def ingest(server: DovecotServer, folder: str, db: Database, **options: Any) -> IngestReport:
    return ingest_mailbox(server.resource(folder, fetch_batch_size=2, **options).settings, db)


def unseen(server: DovecotServer, folder: str) -> int:
    with server.client() as box:
        box.folder.set(folder)
        return len(box.uids(AND(seen=False)))


def outcome(mongo: MongoResource) -> dict[str, Any]:
    """What a reader sees, without the fields that legitimately differ between runs (times, revisions)."""
    volatile = {"updated_at": 0, "first_seen_at": 0, "created_at": 0, "revision": 0, "processed_at": 0}
    return {
        "offers": {d["_id"]: d for d in mongo.collection(EMAIL_PLACEMENT_OFFERS).find({}, volatile)},
        "events": {d["_id"]: d for d in mongo.collection(EMAIL_OFFER_EVENTS).find({}, volatile)},
        "notices": {d["_id"]: d for d in mongo.collection(EMAIL_NOTICES).find({}, volatile)},
        "ledger": {d["_id"]: d["outcome"] for d in mongo.collection(PROCESSED_EMAILS).find({})},
    }


def dated(name: str) -> tuple[bytes, datetime]:
    """The message and its Date header as IMAP internal date."""
    return next(item for item in appendable() if item[0] == raw(name))


def fault_mail() -> list[tuple[bytes, datetime | None]]:
    order = mailbox_order()
    return [dated(name) for name in sorted(FAULT_MAIL, key=order.index)]


@pytest.fixture
def scratch(dovecot: DovecotServer, mongo: MongoResource) -> Iterator[list[tuple[str, MongoResource]]]:
    """Creates (folder, database) pairs on demand, all removed afterwards."""
    made: list[tuple[str, MongoResource]] = []
    yield made
    with dovecot.client() as box:
        for folder, database in made:
            box.folder.delete(folder)
            database.client.drop_database(database.database)


def fresh(
    dovecot: DovecotServer,
    mongo: MongoResource,
    made: list[tuple[str, MongoResource]],
    messages: list[tuple[bytes, datetime | None]] | None = None,
) -> tuple[str, MongoResource]:
    """A new folder holding ``messages`` (by default the fault mail) and a new, empty database."""
    folder = f"fault-{uuid.uuid4().hex[:10]}"
    with dovecot.client() as box:
        box.folder.create(folder)
    append_messages(dovecot, folder, fault_mail() if messages is None else messages)
    database = MongoResource(uri=mongo.uri, database=f"{mongo.database}_{len(made)}")
    made.append((folder, database))
    return folder, database


def test_a_crash_before_any_write_is_completed_by_the_next_run(
    dovecot: DovecotServer, mongo: MongoResource, scratch: list[tuple[str, MongoResource]]
) -> None:
    """Every write boundary in turn: the run dies right before it, the next run finishes; the result
    equals an uninterrupted run (no offer event lost, none doubled) and the same mail stays unseen."""
    folder, database = fresh(dovecot, mongo, scratch)
    recorder = FaultyDatabase(database, record_only)
    ingest(dovecot, folder, recorder)
    expected = outcome(database)
    assert len(expected["events"]) == 3 and len(expected["offers"]) == 2  # Acme new + updated, Goldman
    assert unseen(dovecot, folder) == 1
    boundaries = recorder.writes
    assert any(write.startswith(EMAIL_OFFER_EVENTS) for write in boundaries)
    for number, write in enumerate(boundaries, start=1):
        folder, database = fresh(dovecot, mongo, scratch)
        with pytest.raises(Crash):
            ingest(dovecot, folder, FaultyDatabase(database, crash_before(number)))
        ingest(dovecot, folder, database)
        assert outcome(database) == expected, f"after a crash before write {number} ({write})"
        assert unseen(dovecot, folder) == 1, f"after a crash before write {number} ({write})"


# Batches of two: the first two batches flag their mail; the third holds only the undecodable one.
@pytest.mark.parametrize("occurrence", [1, 2])
def test_a_crash_while_flagging_seen_is_completed_by_the_next_run(
    dovecot: DovecotServer,
    mongo: MongoResource,
    scratch: list[tuple[str, MongoResource]],
    cutting_proxy: CuttingProxy,
    occurrence: int,
) -> None:
    """The last write of each batch is the IMAP flag: cut the connection there, batch by batch."""
    folder, reference = fresh(dovecot, mongo, scratch)
    ingest(dovecot, folder, reference)
    folder, database = fresh(dovecot, mongo, scratch)
    cutting_proxy.cut(b"UID STORE", occurrence)
    with pytest.raises(ImapError):
        ingest(dovecot, folder, database, port=cutting_proxy.port)
    cutting_proxy.cut(b"never-sent")
    ingest(dovecot, folder, database, port=cutting_proxy.port)
    assert outcome(database) == outcome(reference)
    assert unseen(dovecot, folder) == 1


def test_overlapping_runs_keep_every_student_and_mint_one_event_per_change(
    dovecot: DovecotServer, imap_folder: str, mongo: MongoResource, scratch: list[tuple[str, MongoResource]]
) -> None:
    """Run A has read Acme's offer and is about to write when Acme's second mail arrives and run B
    ingests both mails; then A writes. Nothing B stored may be lost, and no change announced twice."""
    first, second = dated("offer_plain_single_role.eml"), dated("offer_update_acme.eml")
    append_messages(dovecot, imap_folder, [first])

    def run_b_first(number: int, _what: str) -> None:
        if number == 1:
            append_messages(dovecot, imap_folder, [second])
            ingest(dovecot, imap_folder, mongo)

    ingest(dovecot, imap_folder, FaultyDatabase(mongo, run_b_first))
    # The same two mails ingested one after the other, without overlap.
    folder, sequential = fresh(dovecot, mongo, scratch, [first, second])
    ingest(dovecot, folder, sequential)

    overlapped, expected = outcome(mongo), outcome(sequential)
    acme = overlapped["offers"]["acme"]
    assert [s["name"] for s in acme["students_selected"]] == [
        s["name"] for s in expected["offers"]["acme"]["students_selected"]
    ]
    assert overlapped["offers"] == expected["offers"]
    assert overlapped["events"] == expected["events"]
    changes = [change for event in overlapped["events"].values() for change in event["changes"]]
    assert len(changes) == len(set(changes))  # every change announced by exactly one event


def test_two_runs_at_the_same_time_store_what_one_run_stores(
    dovecot: DovecotServer, mongo: MongoResource, scratch: list[tuple[str, MongoResource]]
) -> None:
    """Two runs on two threads, each with its own connections, over the whole corpus at once: however
    they interleave, the result equals one run's (no offer data lost, no change announced twice)."""
    folder, reference = fresh(dovecot, mongo, scratch, appendable())
    ingest(dovecot, folder, reference)
    folder, database = fresh(dovecot, mongo, scratch, appendable())
    for name in (EMAIL_PLACEMENT_OFFERS, EMAIL_OFFER_EVENTS, EMAIL_NOTICES, PROCESSED_EMAILS):
        database.collection(name)  # indexes exist before the race (as after any earlier run)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def one_run() -> None:
        own = MongoResource(uri=database.uri, database=database.database)
        try:
            start.wait()
            ingest(dovecot, folder, own)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            own.client.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcome(database) == outcome(reference)


def test_the_instance_runs_one_ingestion_at_a_time() -> None:
    """Runs launched through the instance queue on the pool instead of overlapping at all."""
    assert email_ingestion.op.pool == EMAIL_POOL
    instance = yaml.safe_load((Path(__file__).parents[2] / "dagster.yaml").read_text(encoding="utf-8"))
    assert instance["concurrency"]["pools"]["default_limit"] == 1


def test_mail_read_before_the_run_is_still_ingested(
    dovecot: DovecotServer, imap_folder: str, mongo: MongoResource
) -> None:
    """A person (or a filter) opened the mail before the hourly run: 'unread' does not decide."""
    with dovecot.client() as box:  # arrived today and already read, before the very first run
        box.append(raw("offer_ppo.eml"), imap_folder, dt=None, flag_set=["\\Seen"])
    first = ingest(dovecot, imap_folder, mongo)
    assert first.fetched == 1 and first.offers_new == 1
    assert mongo.collection(EMAIL_PLACEMENT_OFFERS).count_documents({"_id": "goldman sachs"}) == 1

    # Arrived (long ago by its internal date, so no date window covers it) and read between runs.
    with dovecot.client() as box:
        box.append(
            raw("notice_webinar.eml"), imap_folder, dt=datetime(2025, 1, 5, tzinfo=UTC), flag_set=["\\Seen"]
        )
    second = ingest(dovecot, imap_folder, mongo)
    assert second.fetched == 1 and sum(second.notices.values()) == 1
    assert mongo.collection(EMAIL_NOTICES).count_documents({"type": "webinar"}) == 1

    third = ingest(dovecot, imap_folder, mongo)
    assert third.fetched == 0  # nothing new: the remembered UID, not a re-read of everything


def test_after_a_take_over_read_mail_from_before_it_is_left_to_the_older_system(
    dovecot: DovecotServer, imap_folder: str, mongo: MongoResource
) -> None:
    """The older system read (and announced) yesterday's mail; an unread one it never handled is ours."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with dovecot.client() as box:
        box.append(raw("offer_ppo.eml"), imap_folder, dt=yesterday, flag_set=["\\Seen"])
        box.append(raw("notice_webinar.eml"), imap_folder, dt=yesterday)
    mark_mailbox_taken_over(mongo.collection(MAILBOX_STATE), datetime.now(UTC))
    first = ingest(dovecot, imap_folder, mongo)
    assert first.fetched == 1 and sum(first.notices.values()) == 1
    assert mongo.collection(EMAIL_PLACEMENT_OFFERS).count_documents({}) == 0


def with_date(message: bytes, date: str, message_id: str) -> bytes:
    lines = message.split(b"\n")
    replaced = [
        f"Date: {date}\r".encode()
        if line.lower().startswith(b"date:")
        else f"Message-ID: <{message_id}>\r".encode()
        if line.lower().startswith(b"message-id:")
        else line
        for line in lines
    ]
    return b"\n".join(replaced)


@pytest.mark.parametrize(
    "date",
    [
        EXTREME_DATE,
        "Mon, 1 Jan 0001 00:00:00 +2359",
        "Thu, 01 Jan 1970 00:00:00 +0000",
        "31 Dec 99999 23:59:59 +0000",
    ],
)
def test_an_extreme_date_is_unknown_with_a_reason(date: str) -> None:
    mail = decode_email(with_date(raw("offer_ppo.eml"), date, "extreme@example.org"))
    assert mail.header_date is None or 1990 <= mail.header_date.year < 2200
    if mail.header_date is None:
        assert mail.sent_at is None and mail.notes and "Date header" in mail.notes[0]


def test_an_extreme_date_never_blocks_ingestion(
    dovecot: DovecotServer, imap_folder: str, mongo: MongoResource
) -> None:
    poison = with_date(raw("offer_ppo.eml"), EXTREME_DATE, "year-9999@example.org")
    append_messages(dovecot, imap_folder, [(poison, None), (raw("notice_webinar.eml"), None)])
    result = dg.materialize(
        [email_ingestion],
        resources={"imap": dovecot.resource(imap_folder), "mongo": mongo},
        run_config=dg.RunConfig(ops={"email_ingestion": EmailConfig()}),
    )
    assert result.success
    ledger = list(mongo.collection(PROCESSED_EMAILS).find({}))
    assert sorted(entry["outcome"] for entry in ledger) == ["notice", "offer"]
    poisoned = next(entry for entry in ledger if entry["notes"])
    assert "31 Dec 9999" in poisoned["notes"][0] and "is not a date between" in poisoned["notes"][0]
    offer = mongo.collection(EMAIL_PLACEMENT_OFFERS).find_one({"_id": "goldman sachs"})
    assert offer is not None and offer["time_sent"] is None
    metadata = result.asset_materializations_for_node("email_ingestion")[0].metadata
    assert "is not a date between" in str(metadata["unknown_values"].value)
    assert unseen(dovecot, imap_folder) == 0
