"""E-mail ingestion end to end: a real Dovecot mailbox (messages APPENDed over IMAP) and a real
FerretDB database, through ``dagster.materialize`` and the ingestion function it calls."""

from __future__ import annotations

from collections import Counter
from typing import Any

import dagster as dg
import pytest
from imap_tools import AND

from jiit_assets.defs.email.assets import (
    EmailConfig,
    email_ingestion,
    email_ledger_has_no_failures,
    email_offers_are_complete,
)
from jiit_assets.defs.email.ingestion import Window, ingest_mailbox
from jiit_assets.defs.email.mailbox import ImapError
from jiit_assets.defs.email.resources import ImapResource
from jiit_assets.lib.models import NoticeContent, NoticeType
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import (
    EMAIL_NOTICES,
    EMAIL_OFFER_EVENTS,
    EMAIL_PLACEMENT_OFFERS,
    PROCESSED_EMAILS,
)
from jiit_assets.lib.text import company_key
from jiit_assets_tests.email.corpus_table import EXPECTED, appendable, mailbox_order, names, raw
from jiit_assets_tests.fixtures.imap import CuttingProxy, DovecotServer, append_messages
from jiit_assets_tests.fixtures.servers import free_port

OFFER_COMPANIES = {company_key(EXPECTED[n]["company"]) for n in names("placement_offer")}
SETTLED = len(EXPECTED) - len(names("failed"))  # messages that end up flagged \Seen


def run(imap: ImapResource, mongo: MongoResource, **config: Any) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [email_ingestion],
        resources={"imap": imap, "mongo": mongo},
        run_config=dg.RunConfig(ops={"email_ingestion": EmailConfig(**config)}),
        raise_on_error=False,
    )


def unseen(server: DovecotServer, folder: str) -> int:
    with server.client() as box:
        box.folder.set(folder)
        return len(box.uids(AND(seen=False)))


def snapshot(mongo: MongoResource) -> dict[str, Any]:
    return {
        "offers": {d["_id"]: d for d in mongo.collection(EMAIL_PLACEMENT_OFFERS).find({}, {"updated_at": 0})},
        "events": sorted(d["_id"] for d in mongo.collection(EMAIL_OFFER_EVENTS).find({}, {"_id": 1})),
        "notices": sorted(d["_id"] for d in mongo.collection(EMAIL_NOTICES).find({}, {"_id": 1})),
        "ledger": Counter(d["outcome"] for d in mongo.collection(PROCESSED_EMAILS).find({}, {"outcome": 1})),
    }


def assert_corpus_stored_once(mongo: MongoResource) -> None:
    state = snapshot(mongo)
    assert set(state["offers"]) == OFFER_COMPANIES  # "Acme Technologies Pvt. Ltd." and "Acme Corp" merged
    assert state["ledger"] == Counter(
        {
            "offer": len(names("placement_offer")),
            "notice": len(names("notice")),
            "skipped": len(names("skipped")),
            "failed": len(names("failed")),
        }
    )
    assert len(state["notices"]) == len(names("notice"))
    # One event per company plus one update for Acme's second mail.
    assert len(state["events"]) == len(OFFER_COMPANIES) + 1
    acme = state["offers"]["acme"]
    assert [s["name"] for s in acme["students_selected"]] == [
        "Aarav Sharma",
        "Ishita Gupta",
        "Kabir Singh",
        "Meera Nair",
    ]
    assert acme["students_selected"][2]["enrollment_number"] == "21103077"  # first seen without one
    assert acme["number_of_offers"] == 4
    assert len(acme["source_message_keys"]) == 2


@pytest.fixture
def loaded_folder(dovecot: DovecotServer, imap_folder: str) -> str:
    append_messages(dovecot, imap_folder, appendable())
    return imap_folder


def test_corpus_lands_exactly_once_across_repeated_runs(
    dovecot: DovecotServer, loaded_folder: str, mongo: MongoResource
) -> None:
    imap = dovecot.resource(loaded_folder)
    first = run(imap, mongo)
    assert first.success
    assert_corpus_stored_once(mongo)
    state = snapshot(mongo)
    assert unseen(dovecot, loaded_folder) == len(names("failed"))  # undecodable mail stays for a retry

    # Mark everything unread again: the ledger, not the \Seen flag, prevents duplicates.
    with dovecot.client() as box:
        box.folder.set(loaded_folder)
        box.flag(box.uids("ALL"), "\\Seen", False)
    second = run(imap, mongo)
    assert second.success
    assert snapshot(mongo)["offers"] == state["offers"]
    assert snapshot(mongo)["events"] == state["events"]
    assert snapshot(mongo)["notices"] == state["notices"]
    metadata = second.asset_materializations_for_node("email_ingestion")[0].metadata
    assert metadata["already_processed"].value == SETTLED
    assert metadata["fetched"].value == len(EXPECTED)

    # Stored shapes other engineers read.
    offer = mongo.collection(EMAIL_PLACEMENT_OFFERS).find_one({"_id": "zscaler"})
    assert offer is not None
    assert {r["role"]: r["package"] for r in offer["roles"]} == {
        "Software Development Engineer": 18.5,
        "Technical Support Engineer": 9.25,
    }
    assert offer["time_sent"].tzinfo is not None and offer["first_seen_at"] and offer["updated_at"]
    event = mongo.collection(EMAIL_OFFER_EVENTS).find_one({"company_key": "zscaler"})
    assert event is not None and event["notice_state"] == "pending"
    content = NoticeContent.from_document(event["notice_content"])
    assert content.source == "placement_offer" and content.source_id == event["_id"]
    assert content.type == NoticeType.PLACEMENT_OFFER
    assert content.title == "Placement Update: Zscaler"
    assert content.text.startswith("3 students have been placed at Zscaler.")
    assert "Rohan" not in content.text  # no student names in a broadcast
    wipro = mongo.collection(EMAIL_OFFER_EVENTS).find_one({"company_key": "wipro"})
    assert wipro is not None and wipro["notice_content"]["text"].startswith(
        "1 student has been placed at Wipro."
    )
    notice = mongo.collection(EMAIL_NOTICES).find_one(
        {"type": "webinar", "title": "Webinar: Cracking Product Interviews"}
    )
    assert notice is not None and notice["notice_state"] == "pending"
    assert NoticeContent.from_document(notice["notice_content"]).source_id == notice["_id"]
    failed = mongo.collection(PROCESSED_EMAILS).find_one({"outcome": "failed"})
    assert failed is not None and "not readable" in failed["reason"] and failed["attempts"] == 2

    # Data-quality checks: the offers are complete; the undecodable message is made visible.
    checked = dg.materialize(
        [email_ingestion, email_offers_are_complete, email_ledger_has_no_failures],
        resources={"imap": imap, "mongo": mongo},
    )
    verdicts = {e.check_name: e.passed for e in checked.get_asset_check_evaluations()}
    assert verdicts == {"email_offers_are_complete": True, "email_ledger_has_no_failures": False}


def test_queued_state_is_never_reset_by_a_rerun(
    dovecot: DovecotServer, loaded_folder: str, mongo: MongoResource
) -> None:
    imap = dovecot.resource(loaded_folder)
    assert run(imap, mongo).success
    # The notices asset marks what it drained as queued.
    mongo.collection(EMAIL_OFFER_EVENTS).update_many({}, {"$set": {"notice_state": "queued"}})
    mongo.collection(EMAIL_NOTICES).update_many({}, {"$set": {"notice_state": "queued"}})
    assert run(imap, mongo, since="2025-08-01", until="2025-09-30", reprocess=True).success
    assert mongo.collection(EMAIL_OFFER_EVENTS).count_documents({"notice_state": "pending"}) == 0
    assert mongo.collection(EMAIL_NOTICES).count_documents({"notice_state": "pending"}) == 0
    assert_corpus_stored_once(mongo)


def test_messages_stay_unseen_until_their_results_are_stored(
    dovecot: DovecotServer, loaded_folder: str, mongo: MongoResource
) -> None:
    unreachable = MongoResource(
        uri=f"mongodb://127.0.0.1:{free_port()}/", database="x", server_selection_timeout_ms=300
    )
    result = run(dovecot.resource(loaded_folder), unreachable)
    assert not result.success
    assert unseen(dovecot, loaded_folder) == len(EXPECTED)  # fetched (BODY.PEEK) but nothing flagged
    assert run(dovecot.resource(loaded_folder), mongo).success
    assert_corpus_stored_once(mongo)


# The third FETCH (batches 1-2 stored and flagged), or the second STORE (batch 2 stored, not flagged).
@pytest.mark.parametrize(("command", "occurrence"), [(b"UID FETCH", 3), (b"UID STORE", 2)])
def test_a_connection_dropped_mid_batch_loses_nothing(
    dovecot: DovecotServer,
    loaded_folder: str,
    mongo: MongoResource,
    cutting_proxy: CuttingProxy,
    command: bytes,
    occurrence: int,
) -> None:
    """Batches of 5: the connection drops while fetching the third batch, or while flagging the
    second (its results already stored); the next run finishes the rest without duplicates."""
    imap = dovecot.resource(loaded_folder, port=cutting_proxy.port, fetch_batch_size=5)
    cutting_proxy.cut(command, occurrence)
    with pytest.raises(ImapError):
        ingest_mailbox(imap.settings, mongo)
    # Messages are fetched in arrival order; two batches were stored either way.
    assert sum(snapshot(mongo)["ledger"].values()) == 10
    flagged_batches = occurrence - 1
    flagged = [name for name in mailbox_order()[: 5 * flagged_batches] if EXPECTED[name]["kind"] != "failed"]
    assert unseen(dovecot, loaded_folder) == len(EXPECTED) - len(flagged)
    assert mongo.collection(EMAIL_OFFER_EVENTS).count_documents({}) > 0

    cutting_proxy.cut(b"never-sent")
    assert run(imap, mongo).success
    assert_corpus_stored_once(mongo)
    assert unseen(dovecot, loaded_folder) == len(names("failed"))


def test_backfill_rereads_seen_messages_of_a_date_range_without_duplicates(
    dovecot: DovecotServer, loaded_folder: str, mongo: MongoResource
) -> None:
    imap = dovecot.resource(loaded_folder)
    assert run(imap, mongo).success
    before = snapshot(mongo)
    # A fresh database sees only what the backfill re-reads: 18–20 Aug 2025 (IST).
    fresh = MongoResource(uri=mongo.uri, database=mongo.database + "_b")
    try:
        result = run(imap, fresh, since="2025-08-18", until="2025-08-20")
        assert result.success
        offers = {d["_id"] for d in fresh.collection(EMAIL_PLACEMENT_OFFERS).find({}, {"_id": 1})}
        assert offers == {"acme", "zscaler", "info edge", "publicis sapient"}
        again = run(imap, fresh, since="2025-08-18", until="2025-08-20", reprocess=True)
        assert again.success
        assert {d["_id"] for d in fresh.collection(EMAIL_PLACEMENT_OFFERS).find({}, {"_id": 1})} == offers
        assert fresh.collection(EMAIL_OFFER_EVENTS).count_documents({}) == 4

        fresh.client.drop_database(fresh.database)  # start over for a single-day backfill
        # A day's backfill follows the mail's own date: the Amazon mail forwarded on 22 Aug (its
        # original was sent on the 21st) belongs to the 22nd.
        assert run(imap, fresh, since="2025-08-22").success
        offers = {d["_id"] for d in fresh.collection(EMAIL_PLACEMENT_OFFERS).find({}, {"_id": 1})}
        assert offers == {"deloitte usi", "amazon"}
    finally:
        fresh.client.drop_database(fresh.database)
    # The same backfill on the live database changes nothing.
    assert run(imap, mongo, since="2025-08-18", until="2025-08-20", reprocess=True).success
    after = snapshot(mongo)
    assert after["events"] == before["events"] and after["notices"] == before["notices"]
    assert after["offers"].keys() == before["offers"].keys()


def test_backfill_window_is_validated(dovecot: DovecotServer, imap_folder: str, mongo: MongoResource) -> None:
    result = run(dovecot.resource(imap_folder), mongo, since="2025-08-20", until="2025-08-18")
    assert not result.success
    assert "before" in str(result.get_step_failure_events()[0].step_failure_data.error)
    assert Window.__name__  # the window type is public for callers that ingest directly


def test_unconfigured_mailbox_skips_with_one_clear_message(mongo: MongoResource) -> None:
    result = run(ImapResource(), mongo)
    assert result.success
    metadata = result.asset_materializations_for_node("email_ingestion")[0].metadata
    assert metadata["status"].value == "IMAP not configured"
    assert mongo.collection(PROCESSED_EMAILS).count_documents({}) == 0


def test_wrong_password_fails_without_revealing_it(
    dovecot: DovecotServer, imap_folder: str, mongo: MongoResource
) -> None:
    secret = "Wr0ng-Secret-Value"
    imap = ImapResource(
        host=dovecot.host,
        port=dovecot.port,
        user=dovecot.user,
        password=secret,
        folder=imap_folder,
        tls_mode="plain",
    )
    with pytest.raises(ImapError) as caught:
        ingest_mailbox(imap.settings, mongo)
    assert secret not in str(caught.value)
    assert not caught.value.retryable
    result = run(imap, mongo)
    assert not result.success
    assert secret not in str(result.get_step_failure_events()[0].step_failure_data.error)


def test_duplicate_delivery_of_one_message_is_stored_once(
    dovecot: DovecotServer, imap_folder: str, mongo: MongoResource
) -> None:
    message = raw("offer_ppo.eml")
    append_messages(dovecot, imap_folder, [(message, None), (message, None)])
    assert run(dovecot.resource(imap_folder), mongo).success
    assert mongo.collection(PROCESSED_EMAILS).count_documents({}) == 1
    assert mongo.collection(EMAIL_OFFER_EVENTS).count_documents({}) == 1
    assert unseen(dovecot, imap_folder) == 0


def test_offer_events_and_notices_reach_the_notices_queue(
    dovecot: DovecotServer, loaded_folder: str, mongo: MongoResource
) -> None:
    """The contract with the `notices` asset: it drains `notice_state: pending` and renders our content."""
    from jiit_assets.defs.notices.assets import notices

    result = dg.materialize(
        [email_ingestion, notices], resources={"imap": dovecot.resource(loaded_folder), "mongo": mongo}
    )
    assert result.success
    queue = mongo.collection("notices")
    offer_events = list(mongo.collection(EMAIL_OFFER_EVENTS).find({}, {"notice_state": 1}))
    assert offer_events and all(event["notice_state"] == "queued" for event in offer_events)
    assert queue.count_documents({"source": "placement_offer"}) == len(offer_events)
    assert queue.count_documents({"source": "email"}) == len(names("notice"))
    assert mongo.collection(EMAIL_NOTICES).count_documents({"notice_state": "pending"}) == 0
    zscaler = queue.find_one({"source": "placement_offer", "company": "Zscaler"})
    assert zscaler is not None and zscaler["title"] == "Placement Update: Zscaler"


@pytest.mark.parametrize("tls_mode", ["ssl", "starttls", "plain"])
def test_every_tls_mode_reads_the_mailbox(dovecot: DovecotServer, imap_folder: str, tls_mode: str) -> None:
    append_messages(dovecot, imap_folder, [(raw("offer_ppo.eml"), None)])
    port = dovecot.tls_port if tls_mode == "ssl" else dovecot.port
    imap = dovecot.resource(imap_folder, port=port, tls_mode=tls_mode, ca_file=str(dovecot.ca_file))
    with imap.session() as session:
        batches = list(session.fetch_batches(session.unseen_uids()))
    assert [len(batch) for batch in batches] == [1]
    assert b"Goldman Sachs" in batches[0][0].raw and not batches[0][0].seen
    assert unseen(dovecot, imap_folder) == 1  # BODY.PEEK: reading did not mark it


def test_an_untrusted_certificate_is_a_clear_non_retryable_error(
    dovecot: DovecotServer, imap_folder: str
) -> None:
    imap = dovecot.resource(imap_folder, port=dovecot.tls_port, tls_mode="ssl")
    with pytest.raises(ImapError) as caught, imap.session():
        pass
    assert "not trusted" in str(caught.value) and not caught.value.retryable
    assert dovecot.password not in str(caught.value)
